// Command extproc-client stands in for Envoy in test/e2e/routing.sh: for each request it asks the endpoint
// picker (EPP) where to send it over Envoy's ext_proc v3 protocol, then sends the HTTP request to that endpoint
// itself and reports which backend answered.
//
// It is compiled inside a copy of the sigs.k8s.io/gateway-api-inference-extension v1.5.0 module
// (test/e2e/toolchain.sh --routing), so it uses exactly that module's go-control-plane and gRPC.
//
// The exchange follows what the EPP expects at GIE v1.5.0 (pkg/epp/handlers/server.go, request.go,
// response.go; pkg/common/envoy/chunking.go), which is what Envoy does with the processing mode of GIE's
// standalone chart (config/charts/standalone/values.yaml at v1.5.0: request_body_mode and response_body_mode
// FULL_DUPLEX_STREAMED; Envoy may cut a body into several chunks, this client sends each body as one):
//
//	client → EPP  request headers (end_of_stream=false)
//	client → EPP  request body, one chunk, end_of_stream=true   (the EPP decodes and schedules only then)
//	EPP → client  request-headers response: header mutation `x-gateway-destination-endpoint: ip:port` and
//	              dynamic metadata `envoy.lb` / `x-gateway-destination-endpoint` (both carry the choice)
//	EPP → client  request-body response(s): the (possibly mutated) body as streamed chunks, the last one EoS
//	client → backend  POST to the chosen endpoint with the mutated headers and body   (Envoy's upstream)
//	client → EPP  response headers, then the response body with end_of_stream=true
//	EPP → client  response-headers response, response-body response(s)
//	client closes the stream; the EPP then completes the request (its in-flight accounting).
//
// Input: JSON lines {"id": "...", "path": "/v1/chat/completions", "body": {...}} (-in, or stdin).
// Output: one JSON line per request (-out, or stdout). The requests are sent one after the other.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"strconv"
	"strings"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

const (
	destinationHeader    = "x-gateway-destination-endpoint" // GIE v1.5.0 pkg/epp/metadata/consts.go DestinationEndpointKey
	destinationNamespace = "envoy.lb"                       // DestinationEndpointNamespace
)

type input struct {
	ID   string          `json:"id"`
	Path string          `json:"path"`
	Body json.RawMessage `json:"body"`
}

type result struct {
	ID               string `json:"id"`
	HeaderEndpoint   string `json:"headerEndpoint"`   // x-gateway-destination-endpoint from the header mutation
	MetadataEndpoint string `json:"metadataEndpoint"` // envoy.lb/x-gateway-destination-endpoint from dynamic metadata
	Endpoint         string `json:"endpoint"`         // the endpoint used (the first of the list)
	AnsweredBy       string `json:"answeredBy"`       // remote address of the TCP connection that answered
	Status           int    `json:"status"`           // HTTP status from the backend (0: not sent)
	Model            string `json:"model,omitempty"`
	CachedTokens     *int   `json:"cachedTokens,omitempty"` // usage.prompt_tokens_details.cached_tokens, if reported
	PromptTokens     int    `json:"promptTokens,omitempty"`
	EppMillis        int64  `json:"eppMillis"` // request headers sent → routing decision received
	Error            string `json:"error,omitempty"`
}

func main() {
	epp := flag.String("epp", "127.0.0.1:9002", "EPP ext_proc gRPC address")
	useTLS := flag.Bool("tls", true, "connect with TLS without verifying the certificate (the EPP's --secure-serving default: a self-signed cert)")
	in := flag.String("in", "", "requests as JSON lines (default stdin)")
	out := flag.String("out", "", "results as JSON lines (default stdout)")
	authority := flag.String("authority", "modelplane-gateway.local", ":authority of the simulated client request")
	timeout := flag.Duration("timeout", 60*time.Second, "per request timeout")
	flag.Parse()

	var r io.Reader = os.Stdin
	if *in != "" {
		f, err := os.Open(*in)
		if err != nil {
			fatal(err)
		}
		defer f.Close()
		r = f
	}
	var w io.Writer = os.Stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fatal(err)
		}
		defer f.Close()
		w = f
	}

	creds := insecure.NewCredentials()
	if *useTLS {
		creds = credentials.NewTLS(&tls.Config{InsecureSkipVerify: true}) //nolint:gosec // the EPP's self-signed cert, loopback only
	}
	conn, err := grpc.NewClient(*epp, grpc.WithTransportCredentials(creds))
	if err != nil {
		fatal(err)
	}
	defer conn.Close()
	client := extprocv3.NewExternalProcessorClient(conn)
	httpClient := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil}}

	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	enc := json.NewEncoder(w)
	failed := 0
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var req input
		if err := json.Unmarshal(line, &req); err != nil {
			fatal(fmt.Errorf("bad input line: %w", err))
		}
		if req.Path == "" {
			req.Path = "/v1/chat/completions"
		}
		ctx, cancel := context.WithTimeout(context.Background(), *timeout)
		res := route(ctx, client, httpClient, *authority, req)
		cancel()
		if res.Error != "" {
			failed++
		}
		if err := enc.Encode(res); err != nil {
			fatal(err)
		}
	}
	if err := sc.Err(); err != nil {
		fatal(err)
	}
	if failed > 0 {
		fmt.Fprintf(os.Stderr, "extproc-client: %d request(s) failed\n", failed)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "extproc-client:", err)
	os.Exit(2)
}

func hdr(k, v string) *corev3.HeaderValue { return &corev3.HeaderValue{Key: k, RawValue: []byte(v)} }

func headerValue(h *corev3.HeaderValue) string {
	if len(h.GetRawValue()) > 0 {
		return string(h.GetRawValue())
	}
	return h.GetValue()
}

// route runs one request through the EPP and the chosen backend.
func route(ctx context.Context, client extprocv3.ExternalProcessorClient, hc *http.Client, authority string, req input) (res result) {
	res.ID = req.ID
	stream, err := client.Process(ctx)
	if err != nil {
		res.Error = "ext_proc stream: " + err.Error()
		return res
	}
	defer func() { _ = stream.CloseSend() }()

	body := []byte(req.Body)
	t0 := time.Now()
	// 1. Request headers, as Envoy sends them (pseudo-headers included), body follows.
	err = stream.Send(&extprocv3.ProcessingRequest{Request: &extprocv3.ProcessingRequest_RequestHeaders{
		RequestHeaders: &extprocv3.HttpHeaders{Headers: &corev3.HeaderMap{Headers: []*corev3.HeaderValue{
			hdr(":method", "POST"), hdr(":path", req.Path), hdr(":authority", authority), hdr(":scheme", "http"),
			hdr("content-type", "application/json"), hdr("content-length", strconv.Itoa(len(body))),
			hdr("x-request-id", req.ID),
		}}, EndOfStream: false},
	}})
	if err != nil {
		res.Error = "send request headers: " + err.Error()
		return res
	}
	// 2. The whole body in one chunk with end_of_stream.
	err = stream.Send(&extprocv3.ProcessingRequest{Request: &extprocv3.ProcessingRequest_RequestBody{
		RequestBody: &extprocv3.HttpBody{Body: body, EndOfStream: true},
	}})
	if err != nil {
		res.Error = "send request body: " + err.Error()
		return res
	}

	// 3. The routing decision: header response, then the body chunks up to end_of_stream.
	upstreamHeaders := map[string]string{}
	var mutated []byte
	gotHeaders, bodyDone := false, false
	for !gotHeaders || !bodyDone {
		resp, err := stream.Recv()
		if err != nil {
			res.Error = "receive routing decision: " + err.Error()
			return res
		}
		switch v := resp.Response.(type) {
		case *extprocv3.ProcessingResponse_RequestHeaders:
			gotHeaders = true
			res.EppMillis = time.Since(t0).Milliseconds()
			for _, o := range v.RequestHeaders.GetResponse().GetHeaderMutation().GetSetHeaders() {
				k := strings.ToLower(o.GetHeader().GetKey())
				upstreamHeaders[k] = headerValue(o.GetHeader())
			}
			res.HeaderEndpoint = upstreamHeaders[destinationHeader]
			if md := resp.GetDynamicMetadata(); md != nil {
				if ns := md.GetFields()[destinationNamespace].GetStructValue(); ns != nil {
					res.MetadataEndpoint = ns.GetFields()[destinationHeader].GetStringValue()
				}
			}
		case *extprocv3.ProcessingResponse_RequestBody:
			sr := v.RequestBody.GetResponse().GetBodyMutation().GetStreamedResponse()
			if sr == nil { // a whole-body mutation (not what v1.5.0 sends, but valid ext_proc)
				if b := v.RequestBody.GetResponse().GetBodyMutation().GetBody(); b != nil {
					mutated = append(mutated, b...)
				}
				bodyDone = true
				continue
			}
			mutated = append(mutated, sr.GetBody()...)
			bodyDone = sr.GetEndOfStream()
		case *extprocv3.ProcessingResponse_ImmediateResponse:
			ir := v.ImmediateResponse
			res.Status = int(ir.GetStatus().GetCode())
			res.Error = fmt.Sprintf("EPP answered immediately (no routing): HTTP %d %s %s", res.Status, ir.GetDetails(), string(ir.GetBody()))
			return res
		default:
			res.Error = fmt.Sprintf("unexpected ext_proc response %T", v)
			return res
		}
	}
	if res.HeaderEndpoint == "" && res.MetadataEndpoint == "" {
		res.Error = "the EPP named no destination endpoint"
		return res
	}
	if res.HeaderEndpoint != "" && res.MetadataEndpoint != "" && res.HeaderEndpoint != res.MetadataEndpoint {
		res.Error = fmt.Sprintf("header (%s) and metadata (%s) name different endpoints", res.HeaderEndpoint, res.MetadataEndpoint)
		return res
	}
	list := res.MetadataEndpoint
	if list == "" {
		list = res.HeaderEndpoint
	}
	res.Endpoint = strings.TrimSpace(strings.Split(list, ",")[0]) // the EPP may name fallbacks after a comma
	if len(mutated) == 0 {
		mutated = body
	}

	// 4. Envoy's part: send the request upstream to the chosen endpoint.
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+res.Endpoint+req.Path, bytes.NewReader(mutated))
	if err != nil {
		res.Error = err.Error()
		return res
	}
	for k, v := range upstreamHeaders {
		if strings.HasPrefix(k, ":") || k == "content-length" || k == "host" {
			continue
		}
		hreq.Header.Set(k, v)
	}
	hreq.Header.Set("content-type", "application/json")
	hreq = hreq.WithContext(httptrace.WithClientTrace(hreq.Context(), &httptrace.ClientTrace{
		GotConn: func(ci httptrace.GotConnInfo) { res.AnsweredBy = ci.Conn.RemoteAddr().String() },
	}))
	hresp, err := hc.Do(hreq)
	if err != nil {
		res.Error = "upstream: " + err.Error()
		return res
	}
	respBody, err := io.ReadAll(hresp.Body)
	hresp.Body.Close()
	if err != nil {
		res.Error = "upstream body: " + err.Error()
		return res
	}
	res.Status = hresp.StatusCode
	var parsed struct {
		Model string `json:"model"`
		Usage struct {
			PromptTokens        int `json:"prompt_tokens"`
			PromptTokensDetails *struct {
				CachedTokens int `json:"cached_tokens"`
			} `json:"prompt_tokens_details"`
		} `json:"usage"`
	}
	if json.Unmarshal(respBody, &parsed) == nil {
		res.Model = parsed.Model
		res.PromptTokens = parsed.Usage.PromptTokens
		if d := parsed.Usage.PromptTokensDetails; d != nil {
			n := d.CachedTokens
			res.CachedTokens = &n
		}
	}

	// 5. The response phase, as Envoy reports it to the EPP (it completes the request's accounting there).
	respHeaders := []*corev3.HeaderValue{hdr(":status", strconv.Itoa(hresp.StatusCode))}
	for k := range hresp.Header {
		respHeaders = append(respHeaders, hdr(strings.ToLower(k), hresp.Header.Get(k)))
	}
	if err := stream.Send(&extprocv3.ProcessingRequest{Request: &extprocv3.ProcessingRequest_ResponseHeaders{
		ResponseHeaders: &extprocv3.HttpHeaders{Headers: &corev3.HeaderMap{Headers: respHeaders}},
	}}); err != nil {
		res.Error = "send response headers: " + err.Error()
		return res
	}
	if err := stream.Send(&extprocv3.ProcessingRequest{Request: &extprocv3.ProcessingRequest_ResponseBody{
		ResponseBody: &extprocv3.HttpBody{Body: respBody, EndOfStream: true},
	}}); err != nil {
		res.Error = "send response body: " + err.Error()
		return res
	}
	gotHeaders, bodyDone = false, false
	for !gotHeaders || !bodyDone {
		resp, err := stream.Recv()
		if err != nil {
			res.Error = "receive response-phase answer: " + err.Error()
			return res
		}
		switch v := resp.Response.(type) {
		case *extprocv3.ProcessingResponse_ResponseHeaders:
			gotHeaders = true
		case *extprocv3.ProcessingResponse_ResponseBody:
			sr := v.ResponseBody.GetResponse().GetBodyMutation().GetStreamedResponse()
			bodyDone = sr == nil || sr.GetEndOfStream()
		case *extprocv3.ProcessingResponse_ImmediateResponse:
			res.Error = fmt.Sprintf("EPP answered the response phase immediately: HTTP %d", v.ImmediateResponse.GetStatus().GetCode())
			return res
		default:
			res.Error = fmt.Sprintf("unexpected ext_proc response %T in the response phase", v)
			return res
		}
	}
	if err := stream.CloseSend(); err != nil {
		res.Error = "close: " + err.Error()
		return res
	}
	// Drain until the EPP ends the stream (io.EOF).
	for {
		if _, err := stream.Recv(); err != nil {
			if !errors.Is(err, io.EOF) && ctx.Err() == nil {
				res.Error = "stream end: " + err.Error()
			}
			break
		}
	}
	if _, _, err := net.SplitHostPort(res.Endpoint); err != nil {
		res.Error = "endpoint is not host:port: " + res.Endpoint
	}
	return res
}
