package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// multipart answers a POST that accepts multipart/mixed with gqlgen's
// MultipartMixed transport: the fields a query marks @defer come in later
// parts. A body that is not JSON goes to the POST transport instead, which
// answers it the same way without writing the body to the process's log.
type multipart struct {
	transport.MultipartMixed
	post postJSON
}

func newMultipart() multipart {
	// Deferred parts are gathered for up to 10 ms before they are sent;
	// gqlgen's default of 1 ms wakes the request's goroutine a thousand
	// times a second.
	return multipart{MultipartMixed: transport.MultipartMixed{DeliveryTimeout: 10 * time.Millisecond}}
}

func (t multipart) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	body, err := io.ReadAll(r.Body)
	if err == nil && !json.Valid(body) {
		r.Body = io.NopCloser(bytes.NewReader(body))
		t.post.Do(w, r, exec)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	t.MultipartMixed.Do(w, r, exec)
}

// wantsMultipart reports whether an operation came by multipart/mixed.
func wantsMultipart(oc *graphql.OperationContext) bool {
	return oc.Headers != nil && oc.Headers.Get("Upgrade") == "" &&
		strings.Contains(oc.Headers.Get("Accept"), "multipart/mixed")
}

// subscriptionsOverWebSocket refuses a subscription asked by
// multipart/mixed: subscriptions run over WebSocket.
type subscriptionsOverWebSocket struct{}

func (subscriptionsOverWebSocket) ExtensionName() string                   { return "SubscriptionsOverWebSocket" }
func (subscriptionsOverWebSocket) Validate(graphql.ExecutableSchema) error { return nil }

func (subscriptionsOverWebSocket) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil || oc.Operation.Operation != ast.Subscription || !wantsMultipart(oc) {
		return nil
	}
	err := gqlerror.Errorf("Subscriptions run over WebSocket at /graphql (graphql-transport-ws), not multipart/mixed.")
	errcode.Set(err, CodeBadRequest)
	return err
}
