package graph

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// postJSON answers a GraphQL request sent by POST, as gqlgen's transport.POST
// does (which it embeds for Supports), with one difference: an answer's
// data is written as gqlgen marshalled it. encoding/json would scan and
// compact it all again, which took 6 to 10 % of a fresh front page's CPU
// and over half of one answered from memory (@cached).
type postJSON struct{ transport.POST }

// The answer's media types (GraphQL over HTTP).
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// answerType picks the answer's media type from the request's Accept: the
// first it names that mvpgraph can answer in, application/json for any
// JSON or none at all, and application/graphql-response+json when it names
// only types that mvpgraph cannot answer in.
func answerType(accept string) string {
	if accept == "" {
		return mediaJSON
	}
	for part := range strings.SplitSeq(accept, ",") {
		t, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch t {
		case "*/*", "application/*", mediaJSON:
			return mediaJSON
		case mediaGraphQLResponse:
			return mediaGraphQLResponse
		}
	}
	return mediaGraphQLResponse
}

func (postJSON) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	media := answerType(r.Header.Get("Accept"))
	w.Header().Set("Content-Type", media)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	start := graphql.Now()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeResponse(w, exec.DispatchError(ctx, gqlerror.List{gqlerror.Errorf("The request body could not be read: %v", err)}))
		return
	}
	var params graphql.RawParams
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&params); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		writeResponse(w, exec.DispatchError(ctx, gqlerror.List{gqlerror.Errorf(
			`The request body is not a GraphQL request: %v. Send a JSON object such as {"query": "{ mvps { totalCount } }", "variables": {}}.`, err)}))
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	oc, errs := exec.CreateOperationContext(ctx, &params)
	if errs != nil {
		// A request that cannot run: 422 under application/json (which
		// the handler's writer answers as 200), 400 under
		// application/graphql-response+json.
		if errcode.GetErrorKind(errs) == errcode.KindProtocol {
			if media == mediaGraphQLResponse {
				w.WriteHeader(http.StatusBadRequest)
			} else {
				w.WriteHeader(http.StatusUnprocessableEntity)
			}
		}
		writeResponse(w, exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs))
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, oc)
	writeResponse(w, responses(ctx))
}

// writeResponse writes resp with the members and order encoding/json gives
// a graphql.Response, its data as it is.
func writeResponse(w io.Writer, resp *graphql.Response) {
	if resp == nil {
		resp = &graphql.Response{}
	}
	var head bytes.Buffer
	head.WriteByte('{')
	if len(resp.Errors) > 0 {
		head.WriteString(`"errors":`)
		writeJSON(&head, resp.Errors)
		head.WriteByte(',')
	}
	head.WriteString(`"data":`)
	data := resp.Data
	if len(data) == 0 {
		data = json.RawMessage("null")
	}
	var tail bytes.Buffer
	if resp.Label != "" {
		tail.WriteString(`,"label":`)
		writeJSON(&tail, resp.Label)
	}
	if len(resp.Path) > 0 {
		tail.WriteString(`,"path":`)
		writeJSON(&tail, resp.Path)
	}
	if resp.HasNext != nil {
		tail.WriteString(`,"hasNext":`)
		writeJSON(&tail, *resp.HasNext)
	}
	if len(resp.Extensions) > 0 {
		tail.WriteString(`,"extensions":`)
		writeJSON(&tail, resp.Extensions)
	}
	tail.WriteByte('}')
	for _, b := range [][]byte{head.Bytes(), data, tail.Bytes()} {
		if _, err := w.Write(b); err != nil {
			return // the client has gone
		}
	}
}

// writeJSON appends v's JSON to b. What it is given (errors, extensions)
// always encodes; a value that did not would be a bug, so it panics, as
// gqlgen's transports do.
func writeJSON(b *bytes.Buffer, v any) {
	out, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	b.Write(out)
}
