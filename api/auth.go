package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"mvpgraph"
	"mvpgraph/store"
)

// Authenticate reads each request's bearer token and runs next acting as
// the token's principal (mvpgraph.PrincipalFrom). A request without an
// Authorization header is anonymous; one whose header is not a valid token
// is refused with 401 and UNAUTHENTICATED before any GraphQL runs.
func Authenticate(s *store.Store, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := authenticate(r, s)
		if err != nil {
			refuseCredentials(w, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(mvpgraph.WithPrincipal(r.Context(), p)))
	})
}

// TokenCaller names who ctx acts as, for the cost budget and the answers
// kept (Options.CallerKey): a token's ID, or "" for anonymous callers, who
// all see the same. What a token may see is fixed by the token, so one
// token's answers are never shown to another.
func TokenCaller(ctx context.Context) string {
	if p := mvpgraph.PrincipalFrom(ctx); !p.Anonymous() {
		return "token:" + strconv.FormatInt(p.TokenID, 10)
	}
	return ""
}

// authenticate reads the bearer token of a request. No Authorization
// header is anonymous; a header that is not a valid token is refused.
func authenticate(r *http.Request, s *store.Store) (mvpgraph.Principal, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return mvpgraph.Principal{}, nil
	}
	secret, ok := BearerToken(h)
	if !ok {
		return mvpgraph.Principal{}, mvpgraph.Errorf(mvpgraph.EUNAUTHORIZED, "the Authorization header must be Bearer <token>.")
	}
	return s.Authenticate(r.Context(), secret)
}

// BearerToken returns the token of a "Bearer <token>" value.
func BearerToken(v string) (string, bool) {
	scheme, secret, ok := strings.Cut(strings.TrimSpace(v), " ")
	secret = strings.TrimSpace(secret)
	return secret, ok && strings.EqualFold(scheme, "Bearer") && secret != ""
}

// refuseCredentials answers a request whose credentials failed, before any
// GraphQL.
func refuseCredentials(w http.ResponseWriter, err error) {
	code, status := CodeInternal, http.StatusInternalServerError
	msg := "Internal error."
	switch mvpgraph.ErrorCode(err) {
	case mvpgraph.EUNAUTHORIZED:
		code, status, msg = CodeUnauthenticated, http.StatusUnauthorized, mvpgraph.ErrorMessage(err)
		w.Header().Set("WWW-Authenticate", `Bearer realm="mvpgraph"`)
	case mvpgraph.EUNAVAILABLE:
		code, status, msg = CodeUnavailable, http.StatusServiceUnavailable, mvpgraph.ErrorMessage(err)
		w.Header().Set("Retry-After", strconv.Itoa(int(unavailableRetry.Seconds())))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{"message": msg, "extensions": map[string]any{"code": code}}}})
}
