package api

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func anyone(context.Context) string { return "" }

// TestAnswersExpire: a kept answer is served until its ttl is up, then
// dropped.
func TestAnswersExpire(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	a := newAnswers(anyone, 1<<20)
	a.now = func() time.Time { return now }
	k := answerKey{1}
	a.put(k, json.RawMessage(`{"a":1}`), 5, a.generation())

	now = now.Add(4900 * time.Millisecond)
	data, age, ok := a.get(k)
	require.True(t, ok)
	require.JSONEq(t, `{"a":1}`, string(data))
	require.Equal(t, 4900*time.Millisecond, age)

	now = now.Add(100 * time.Millisecond)
	_, _, ok = a.get(k)
	require.False(t, ok, "at its ttl the answer is gone")
	require.Zero(t, a.bytes, "and its room is free")
}

// TestAnswersRoom: answers stay within their room, the least recently used
// dropped first; an answer too big for it is not kept.
func TestAnswersRoom(t *testing.T) {
	data := json.RawMessage(`"` + strings.Repeat("x", 1000) + `"`)
	per := len(data) + answerOverhead
	a := newAnswers(anyone, 10*per)
	for i := range 10 {
		a.put(answerKey{byte(i)}, data, 60, a.generation())
	}
	require.Equal(t, 10*per, a.bytes)
	_, _, ok := a.get(answerKey{0}) // now the most recently used
	require.True(t, ok)
	a.put(answerKey{10}, data, 60, a.generation())
	require.LessOrEqual(t, a.bytes, 10*per)
	_, _, ok = a.get(answerKey{1})
	require.False(t, ok, "the least recently used is dropped")
	for _, k := range []byte{0, 2, 10} {
		_, _, ok = a.get(answerKey{k})
		require.True(t, ok, "answer %d is kept", k)
	}

	big := json.RawMessage(`"` + strings.Repeat("x", 2*per) + `"`)
	require.False(t, a.put(answerKey{11}, big, 60, a.generation()))
	_, _, ok = a.get(answerKey{11})
	require.False(t, ok, "an answer over an eighth of the room is not kept")

	// The same key again replaces the answer and its room.
	before := a.bytes
	a.put(answerKey{10}, json.RawMessage(`1`), 60, a.generation())
	require.Equal(t, before-len(data)+1, a.bytes)
}

// TestAnswersAfterMutation: an answer worked out while a mutation ran may
// miss its change, so it is not kept; answers kept before are dropped.
func TestAnswersAfterMutation(t *testing.T) {
	a := newAnswers(anyone, 1<<20)
	a.put(answerKey{1}, json.RawMessage(`1`), 60, a.generation())
	gen := a.generation() // a query starts
	a.forget()            // a mutation finishes
	require.False(t, a.put(answerKey{2}, json.RawMessage(`2`), 60, gen), "worked out while a mutation ran")
	for _, k := range []byte{1, 2} {
		_, _, ok := a.get(answerKey{k})
		require.False(t, ok, "answer %d", k)
	}
	require.Zero(t, a.bytes)
	a.put(answerKey{3}, json.RawMessage(`3`), 60, a.generation())
	_, _, ok := a.get(answerKey{3})
	require.True(t, ok, "a query started after the mutation is kept")
}
