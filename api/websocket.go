package api

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Close codes of the graphql-transport-ws protocol, with which the server
// closes a WebSocket it refuses or ends. Its reference client, graphql-ws,
// reports them to the subscriber: it does not reconnect after 4401, and
// after 4403 only as its retry policy says.
const (
	CloseUnauthorized = 4401 // no valid token, or the token was revoked or has expired
	CloseForbidden    = 4403 // a valid token that may not do this
	CloseInternal     = 4500 // the server could not do what was asked
)

// WebsocketClose is why a WebSocket connection ends. The context a
// connection's init function returns may be cancelled with one as its
// cause (context.WithCancelCause): the connection then closes with its code
// and reason, not with the normal closure that gqlgen's transport sends
// when a connection's context ends. The reason travels in the close frame,
// which holds at most 123 bytes.
type WebsocketClose struct {
	Code   int
	Reason string
}

func (c *WebsocketClose) Error() string {
	return fmt.Sprintf("websocket closed with %d: %s", c.Code, c.Reason)
}

// RefuseWebsocket is what an init function returns to refuse a connection:
// ctx carrying the close code and reason, which gqlgen's transport closes
// the connection with, and the error.
func RefuseWebsocket(ctx context.Context, code int, reason string) (context.Context, *transport.InitPayload, error) {
	ctx = transport.AppendCloseReason(transport.WithWebsocketCloseCode(ctx, code), reason)
	return ctx, nil, &WebsocketClose{Code: code, Reason: reason}
}

// wsConnection is what the handler knows of one WebSocket connection, kept
// in its request's context from the upgrade on.
type wsConnection struct {
	mu  sync.Mutex
	ctx context.Context // the connection's, once its init function accepted it
	ops int             // operations running on it
}

// limitOperations refuses an operation on a WebSocket connection that runs
// max already, with TOO_MANY_OPERATIONS: every subscription on a
// connection is work for the server until the client stops it.
func limitOperations(max int) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		c := wsConnectionFrom(ctx)
		if c == nil || max <= 0 {
			return next(ctx)
		}
		c.mu.Lock()
		full := c.ops >= max
		if !full {
			c.ops++
		}
		c.mu.Unlock()
		if full {
			err := gqlerror.Errorf("This connection runs %d operations already, the most one may; complete one first.", max)
			errcode.Set(err, CodeTooManyOperations)
			return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{err}})
		}
		// The transport cancels an operation's context when it ends.
		context.AfterFunc(ctx, func() {
			c.mu.Lock()
			c.ops--
			c.mu.Unlock()
		})
		return next(ctx)
	}
}

type wsConnectionKey struct{}

func wsConnectionFrom(ctx context.Context) *wsConnection {
	c, _ := ctx.Value(wsConnectionKey{}).(*wsConnection)
	return c
}

// closeCause is the WebsocketClose the connection's context was cancelled
// with, if it was.
func (c *wsConnection) closeCause() *WebsocketClose {
	c.mu.Lock()
	ctx := c.ctx
	c.mu.Unlock()
	if ctx == nil || ctx.Err() == nil {
		return nil
	}
	cl, _ := context.Cause(ctx).(*WebsocketClose)
	return cl
}

// wsInit wraps init to keep the context of each connection it accepts.
func wsInit(init transport.WebsocketInitFunc) transport.WebsocketInitFunc {
	if init == nil {
		return nil
	}
	return func(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		ctx, ack, err := init(ctx, payload)
		if c := wsConnectionFrom(ctx); c != nil && err == nil {
			c.mu.Lock()
			c.ctx = ctx
			c.mu.Unlock()
		}
		return ctx, ack, err
	}
}

// wsImplementation accepts WebSockets with coder/websocket, as gqlgen's
// transport does by default, and closes each with the code its context
// was cancelled with. The handler has checked the Origin already.
type wsImplementation struct{}

func (wsImplementation) Accept(w http.ResponseWriter, r *http.Request, options transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	inner := transport.CoderWebsocketImplementation{AcceptOptions: websocket.AcceptOptions{InsecureSkipVerify: true}}
	conn, err := inner.Accept(w, r, options)
	if err != nil {
		return nil, err
	}
	return &wsConn{WebsocketConn: conn, c: wsConnectionFrom(r.Context())}, nil
}

type wsConn struct {
	transport.WebsocketConn
	c *wsConnection
}

func (w *wsConn) WriteClose(code int, message string) error {
	if code == transport.WebsocketCloseNormalClosure && w.c != nil {
		if cl := w.c.closeCause(); cl != nil {
			code, message = cl.Code, cl.Reason
		}
	}
	return w.WebsocketConn.WriteClose(code, message)
}

// SetReadLimit and SetReadDeadline pass on what the transport asks of the
// connection beneath.
func (w *wsConn) SetReadLimit(limit int64) {
	if l, ok := w.WebsocketConn.(transport.WebsocketReadLimiter); ok {
		l.SetReadLimit(limit)
	}
}

func (w *wsConn) SetReadDeadline(t time.Time) error {
	if d, ok := w.WebsocketConn.(transport.WebsocketReadDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return nil
}
