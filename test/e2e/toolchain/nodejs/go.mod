// Wrapper module: the Node.js language host of the Pulumi release (nested module without tags of its own,
// required at the pseudo-version of the v3.248.0 release commit). Its own go.mod requires pkg/v3 v3.243.0
// and sdk/v3 v3.247.0 through local replaces; they are pinned to the release here. toolchain.sh copies this
// file to its work dir and tidies it there (the go.sum lines exist only once the proxy serves the module).
module modelplane.local/e2e/toolchain/nodejs

go 1.25.11

tool github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3

require (
	github.com/pulumi/pulumi/pkg/v3 v3.248.0
	github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 v3.0.0-20260624120734-a88168d865b7
	github.com/pulumi/pulumi/sdk/v3 v3.248.0
)

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
