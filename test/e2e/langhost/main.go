// Command pulumi-language-nodejs (e2e build) is the Node.js language host the e2e test gives the Pulumi CLI.
//
// The Go module proxy does not serve the language host of the Pulumi release we depend on (its nested module
// github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 answers 403 at every version). The newest
// upstream host the proxy does serve is the one inside github.com/pulumi/pulumi/sdk/v3 up to v3.68.0, before
// the host moved to a module of its own. It runs programs with today's @pulumi/pulumi (the program is started
// through the SDK's own cmd/run), but its RunPlugin answers "not supported", and RunPlugin is how a current
// CLI starts a Node.js policy pack (sdk/go/common/resource/plugin/analyzer_plugin.go, NewPolicyAnalyzer).
//
// So this program starts that upstream host as a child, passes every gRPC call through to it unchanged, and
// answers only RunPlugin for policy packs (kind "analyzer") itself, the way the upstream host of the release
// does: node <@pulumi/pulumi/cmd/run-policy-pack> <args...> <policy pack dir>, in the pack's directory, with
// the request's environment, its output streamed back and its exit code last. It also answers Run when the
// project sets runtime options (Pulumi.yaml `runtime.options`: typescript, tsconfig, nodeargs), which the v3.68.0
// host only takes as flags: see runProgram.
//
// One difference from the release's host: that host also hands the stack's configuration to the pack through
// PULUMI_CONFIG (a policy proxy); this one does not. Policy packs that read stack config with pulumi.Config at
// load time see none here. modelplane's pack reads only its policy config, which the engine sends over gRPC.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

const (
	runPluginMethod = "/pulumirpc.LanguageRuntime/RunPlugin"
	runMethod       = "/pulumirpc.LanguageRuntime/Run"
)

// frame is one gRPC message, kept as its wire bytes: the proxy never needs to understand what it forwards.
type frame struct{ payload []byte }

// rawCodec moves frames unchanged. It is named "proto" so both ends negotiate the content type they expect.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) {
	f, ok := v.(*frame)
	if !ok {
		return nil, fmt.Errorf("raw codec: cannot marshal %T", v)
	}
	return f.payload, nil
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	f, ok := v.(*frame)
	if !ok {
		return fmt.Errorf("raw codec: cannot unmarshal into %T", v)
	}
	f.payload = append(f.payload[:0], data...)
	return nil
}

func (rawCodec) Name() string { return "proto" }

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs (e2e): %v\n", err)
		os.Exit(1)
	}
}

// runProgram hands the program's runtime options (Pulumi.yaml `runtime.options`) to the upstream host the way the
// host of the release reads them. A current CLI sends them only inside each request (ProgramInfo.options); the
// v3.68.0 host reads them only from its command line (-typescript, -tsconfig, -nodeargs: sdk/v3@v3.68.0
// nodejs/cmd/pulumi-language-nodejs/main.go) and would run every program with the defaults (ts-node type-checking
// with tsconfig.json), whatever the project says. The release's host (pulumi/pulumi@v3.248.0
// sdk/nodejs/cmd/pulumi-language-nodejs/main.go, parseOptions(req.Info.Options)) sets PULUMI_NODEJS_TYPESCRIPT
// and PULUMI_NODEJS_TSCONFIG_PATH and the node arguments from them for every Run. So a Run whose options differ
// from the defaults goes to an upstream host started for it with those flags; the others to the long-lived one.
func runProgram(stream grpc.ServerStream, conn *grpc.ClientConn, upstream string) error {
	first := &frame{}
	if err := stream.RecvMsg(first); err != nil {
		return err
	}
	var req pulumirpc.RunRequest
	if err := proto.Unmarshal(first.payload, &req); err != nil {
		return status.Errorf(codes.InvalidArgument, "Run: %v", err)
	}
	flags, err := runtimeFlags(req.GetInfo().GetOptions().AsMap())
	if err != nil {
		return status.Errorf(codes.InvalidArgument, "Run: %v", err)
	}
	if len(flags) == 0 {
		return forward(stream, conn, runMethod, first)
	}
	child, addr, childOut, err := startUpstream(upstream, append(flags, os.Args[1:]...))
	if err != nil {
		return status.Errorf(codes.Internal, "Run: %v", err)
	}
	go func() { _, _ = io.Copy(os.Stdout, childOut) }()
	defer func() { _ = child.Process.Kill(); _ = child.Wait() }()
	runConn, err := dialUpstream(addr)
	if err != nil {
		return status.Errorf(codes.Internal, "Run: %v", err)
	}
	defer runConn.Close()
	return forward(stream, runConn, runMethod, first)
}

// runtimeFlags: the v3.68.0 host's flags for the options the release's host reads (typescript defaults to true,
// as there); none when every option is at its default.
func runtimeFlags(opts map[string]any) ([]string, error) {
	var flags []string
	if v, ok := opts["typescript"]; ok {
		b, isBool := v.(bool)
		if !isBool {
			return nil, fmt.Errorf("typescript option must be a boolean, not %T", v)
		}
		if !b {
			flags = append(flags, "-typescript=false")
		}
	}
	for _, name := range []string{"tsconfig", "nodeargs"} {
		v, ok := opts[name]
		if !ok {
			continue
		}
		s, isString := v.(string)
		if !isString {
			return nil, fmt.Errorf("%s option must be a string, not %T", name, v)
		}
		if s != "" {
			flags = append(flags, "-"+name+"="+s)
		}
	}
	return flags, nil
}

// startUpstream starts the upstream host with args and reads the port it listens on from its first line; the
// rest of its stdout is the caller's to copy.
func startUpstream(path string, args []string) (*exec.Cmd, string, *bufio.Reader, error) {
	child := exec.Command(path, args...)
	child.Stderr = os.Stderr
	// The CLI stops a plugin by killing its process; the child must not outlive it.
	child.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := child.StdoutPipe()
	if err != nil {
		return nil, "", nil, err
	}
	if err := child.Start(); err != nil {
		return nil, "", nil, fmt.Errorf("starting the upstream host %s: %w", path, err)
	}
	childOut := bufio.NewReader(out)
	portLine, err := childOut.ReadString('\n')
	if err != nil {
		_ = child.Process.Kill()
		_ = child.Wait()
		return nil, "", nil, fmt.Errorf("the upstream host %s printed no port: %w", path, err)
	}
	return child, "127.0.0.1:" + strings.TrimSpace(portLine), childOut, nil
}

func dialUpstream(addr string) (*grpc.ClientConn, error) {
	return grpc.NewClient(addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{}), grpc.MaxCallRecvMsgSize(1<<30), grpc.MaxCallSendMsgSize(1<<30)))
}

// upstreamPath is the upstream host binary: $MODELPLANE_E2E_UPSTREAM_LANGHOST, else
// pulumi-language-nodejs-upstream next to this executable.
func upstreamPath() (string, error) {
	if p := os.Getenv("MODELPLANE_E2E_UPSTREAM_LANGHOST"); p != "" {
		return p, nil
	}
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	return filepath.Join(filepath.Dir(self), "pulumi-language-nodejs-upstream"), nil
}

func run() error {
	if len(os.Args) == 2 && os.Args[1] == "--version" {
		fmt.Println("e2e shim over the upstream Node.js language host")
		return nil
	}
	path, err := upstreamPath()
	if err != nil {
		return err
	}

	// The CLI starts a host as `<host> [flags] <engine address>` and reads the port from its first line of
	// stdout; the upstream host takes the same arguments, so they pass through as they are.
	child, upstreamAddr, childOut, err := startUpstream(path, os.Args[1:])
	if err != nil {
		return err
	}
	conn, err := dialUpstream(upstreamAddr)
	if err != nil {
		_ = child.Process.Kill()
		return err
	}
	defer conn.Close()

	server := grpc.NewServer(
		grpc.ForceServerCodec(rawCodec{}),
		grpc.MaxRecvMsgSize(1<<30), grpc.MaxSendMsgSize(1<<30),
		grpc.UnknownServiceHandler(func(_ any, stream grpc.ServerStream) error {
			method, _ := grpc.MethodFromServerStream(stream)
			switch method {
			case runPluginMethod:
				return runPlugin(stream, conn)
			case runMethod:
				return runProgram(stream, conn, path)
			}
			return forward(stream, conn, method, nil)
		}))
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = child.Process.Kill()
		return err
	}
	fmt.Printf("%d\n", lis.Addr().(*net.TCPAddr).Port)
	// Anything else the upstream host prints goes where the CLI reads ours.
	go func() { _, _ = io.Copy(os.Stdout, childOut) }()

	served := make(chan error, 1)
	go func() { served <- server.Serve(lis) }()
	exited := make(chan error, 1)
	go func() { exited <- child.Wait() }()
	select {
	case err := <-served:
		_ = child.Process.Kill()
		return err
	case err := <-exited:
		server.Stop()
		if err != nil {
			return fmt.Errorf("the upstream host exited: %w", err)
		}
		return nil
	}
}

// forward passes one call (unary or streaming) through to the upstream host. first, when set, is a request
// message already read from the caller.
func forward(in grpc.ServerStream, conn *grpc.ClientConn, method string, first *frame) error {
	ctx := in.Context()
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		ctx = metadata.NewOutgoingContext(ctx, md.Copy())
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out, err := conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, method)
	if err != nil {
		return err
	}

	// caller -> upstream
	sendErr := make(chan error, 1)
	go func() {
		if first != nil {
			if err := out.SendMsg(first); err != nil {
				sendErr <- err
				return
			}
		}
		for {
			f := &frame{}
			if err := in.RecvMsg(f); err != nil {
				if errors.Is(err, io.EOF) {
					sendErr <- out.CloseSend()
				} else {
					sendErr <- err
				}
				return
			}
			if err := out.SendMsg(f); err != nil {
				sendErr <- err
				return
			}
		}
	}()

	// upstream -> caller
	header, err := out.Header()
	if err == nil {
		_ = in.SendHeader(header)
	}
	for {
		f := &frame{}
		if err := out.RecvMsg(f); err != nil {
			in.SetTrailer(out.Trailer())
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err // the upstream status, unchanged
		}
		if err := in.SendMsg(f); err != nil {
			return err
		}
		select {
		case err := <-sendErr:
			if err != nil {
				return err
			}
			sendErr = nil // done sending; a nil channel never fires again
		default:
		}
	}
}

// runPlugin starts a policy pack; every other kind of plugin goes to the upstream host.
func runPlugin(stream grpc.ServerStream, conn *grpc.ClientConn) error {
	first := &frame{}
	if err := stream.RecvMsg(first); err != nil {
		return err
	}
	var req pulumirpc.RunPluginRequest
	if err := proto.Unmarshal(first.payload, &req); err != nil {
		return status.Errorf(codes.InvalidArgument, "RunPlugin: %v", err)
	}
	if req.GetKind() != "analyzer" {
		return forward(stream, conn, runPluginMethod, first)
	}
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		return status.Error(codes.InvalidArgument, "RunPlugin: the request names no policy pack directory")
	}
	ctx := stream.Context()

	// Resolved from the pack's directory, like any require() of the pack would be.
	resolve := exec.CommandContext(ctx, "node", "-e",
		`process.stdout.write(require.resolve("@pulumi/pulumi/cmd/run-policy-pack"))`)
	resolve.Dir = dir
	resolve.Env = req.GetEnv()
	entry, err := resolve.Output()
	if err != nil {
		return status.Errorf(codes.FailedPrecondition,
			"RunPlugin: @pulumi/pulumi/cmd/run-policy-pack cannot be resolved from %s (npm install?): %v", dir, err)
	}

	env := req.GetEnv()
	if ts, ok := req.GetInfo().GetOptions().AsMap()["typescript"].(bool); ok && ts {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	args := append([]string{string(entry)}, req.GetArgs()...)
	args = append(args, dir) // the pack directory comes last for policy packs
	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = dir
	cmd.Env = env

	var mu sync.Mutex // a server stream is not safe for concurrent sends
	send := func(resp *pulumirpc.RunPluginResponse) error {
		b, err := proto.Marshal(resp)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		return stream.SendMsg(&frame{payload: b})
	}
	cmd.Stdout = streamWriter(func(p []byte) error {
		return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: p}})
	})
	cmd.Stderr = streamWriter(func(p []byte) error {
		return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: p}})
	})

	code := int32(0)
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return status.Errorf(codes.Internal, "RunPlugin: %v", err)
		}
		code = int32(exit.ExitCode())
	}
	return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: code}})
}

type streamWriter func([]byte) error

func (w streamWriter) Write(p []byte) (int, error) {
	// exec copies from one buffer it reuses: the message must own its bytes.
	if err := w(append([]byte(nil), p...)); err != nil {
		return 0, err
	}
	return len(p), nil
}
