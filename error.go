// Package mvpgraph holds the domain of an expert-community program: members,
// their awards per expertise, the leads who own expertises and countries, and
// the product teams behind the expertises. It declares the types, the rules
// as pure functions, and the one error type every layer speaks.
//
// It imports no database, HTTP or platform package; store/, graph/,
// resolvers/ and integrations/ depend on it, never the other way round.
package mvpgraph

import (
	"errors"
	"fmt"
)

// Error codes. Each layer maps its own failures onto these once, and the API
// edge maps them onto the wire.
const (
	ECONFLICT     = "conflict"     // the action clashes with what is stored
	EINTERNAL     = "internal"     // a failure the caller cannot fix
	EINVALID      = "invalid"      // the input is wrong; Field says where
	ENOTFOUND     = "not_found"    // the named object does not exist
	EUNAUTHORIZED = "unauthorized" // no or bad credentials
	EFORBIDDEN    = "forbidden"    // credentials lack the right
	EUNAVAILABLE  = "unavailable"  // the database cannot answer now; try again shortly
)

// Error is a failure the caller can act on: a code, a message written for the
// person who sent the request, and for EINVALID the input field at fault.
type Error struct {
	Code    string
	Message string
	Field   string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("mvpgraph error: code=%s field=%s message=%s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("mvpgraph error: code=%s message=%s", e.Code, e.Message)
}

// Errorf builds an Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalidf builds an EINVALID Error that names the input field at fault.
func Invalidf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the Error inside err, EINTERNAL for any other
// error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the Error inside err. Other errors may
// carry database or driver text, so they get a generic message instead.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorField returns the input field named by the Error inside err, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
