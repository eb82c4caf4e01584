// chart-render: renders a local chart directory with given values, as `helm template` does, through the Helm
// library that the e2e's Kubernetes provider links (helm.sh/helm/v3 at the version of
// test/e2e/toolchain/kubernetes-provider/go.mod): the same engine that renders modelplane's helm.v3.Release
// objects, compiled inside a copy of that wrapper module so nothing new is downloaded (toolchain.sh).
//
// Usage: chart-render -chart <dir> -name <release> -namespace <ns> -values <file.json>
//
//	[-kube-version v1.37.2] [-api-version <group/version>]... [-skip-crds]
//
// Prints one JSON object: {"manifest": <the release manifest>, "hooks": [{"path","kind","name","events",
// "manifest"}], "crds": [{"path","manifest"}]}. The chart's values.schema.json (if any) is enforced by Helm
// itself (chartutil.ValidateAgainstSchema in action.Install); a render or schema error exits 1 with Helm's message.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
)

type strs []string

func (s *strs) String() string     { return strings.Join(*s, ",") }
func (s *strs) Set(v string) error { *s = append(*s, v); return nil }

type hook struct {
	Path     string   `json:"path"`
	Kind     string   `json:"kind"`
	Name     string   `json:"name"`
	Events   []string `json:"events"`
	Manifest string   `json:"manifest"`
}

type crd struct {
	Path     string `json:"path"`
	Manifest string `json:"manifest"`
}

type output struct {
	Manifest string `json:"manifest"`
	Hooks    []hook `json:"hooks"`
	CRDs     []crd  `json:"crds"`
}

func main() {
	chartDir := flag.String("chart", "", "chart directory")
	name := flag.String("name", "", "release name")
	namespace := flag.String("namespace", "default", "release namespace")
	valuesFile := flag.String("values", "", "values as a JSON object")
	kubeVersion := flag.String("kube-version", "", "Kubernetes version for .Capabilities.KubeVersion")
	skipCRDs := flag.Bool("skip-crds", false, "leave out the chart's crds/ directory (the release's skipCrds)")
	var apiVersions strs
	flag.Var(&apiVersions, "api-version", "group/version the cluster serves (.Capabilities.APIVersions); repeatable")
	flag.Parse()
	if *chartDir == "" || *name == "" {
		fail(fmt.Errorf("-chart and -name are required"))
	}

	vals := map[string]interface{}{}
	if *valuesFile != "" {
		b, err := os.ReadFile(*valuesFile)
		if err != nil {
			fail(err)
		}
		if err := json.Unmarshal(b, &vals); err != nil {
			fail(fmt.Errorf("values %s: %w", *valuesFile, err))
		}
	}
	chrt, err := loader.Load(*chartDir)
	if err != nil {
		fail(fmt.Errorf("load %s: %w", *chartDir, err))
	}
	if req := chrt.Metadata.Dependencies; req != nil {
		if err := action.CheckDependencies(chrt, req); err != nil {
			fail(fmt.Errorf("chart dependencies: %w", err))
		}
	}

	// What `helm template` sets (cmd/helm/template.go at v3.18.6): a client-only dry run that replaces.
	client := action.NewInstall(&action.Configuration{})
	client.DryRun = true
	client.DryRunOption = "true"
	client.ClientOnly = true
	client.Replace = true
	client.ReleaseName = *name
	client.Namespace = *namespace
	client.APIVersions = chartutil.VersionSet(apiVersions)
	client.IncludeCRDs = false // returned apart, below
	if *kubeVersion != "" {
		kv, err := chartutil.ParseKubeVersion(*kubeVersion)
		if err != nil {
			fail(err)
		}
		client.KubeVersion = kv
	}
	rel, err := client.Run(chrt, vals)
	if err != nil {
		fail(err)
	}
	out := output{Manifest: rel.Manifest, Hooks: []hook{}, CRDs: []crd{}}
	for _, h := range rel.Hooks {
		ev := make([]string, 0, len(h.Events))
		for _, e := range h.Events {
			ev = append(ev, string(e))
		}
		out.Hooks = append(out.Hooks, hook{Path: h.Path, Kind: h.Kind, Name: h.Name, Events: ev, Manifest: h.Manifest})
	}
	if !*skipCRDs {
		for _, c := range chrt.CRDObjects() {
			out.CRDs = append(out.CRDs, crd{Path: c.Filename, Manifest: string(c.File.Data)})
		}
	}
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(out); err != nil {
		fail(err)
	}
}

func fail(err error) {
	_, _ = io.WriteString(os.Stderr, "chart-render: "+err.Error()+"\n")
	os.Exit(1)
}
