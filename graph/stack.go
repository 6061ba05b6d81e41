package graph

// growStack grows the calling goroutine's stack in one step, to room for
// the depth a field's resolution reaches. gqlgen resolves a field with a
// resolver, and marshals each element of a list whose fields may wait, in
// a goroutine of its own, which starts with a small stack and grows it by
// doubling as the field's marshalling goes deeper: each growth copies the
// stack and walks every frame on it. Growing once at the start, while the
// stack is shallow, costs one short copy; on the front page's query that
// took the CPU spent growing stacks from about a fifth of a request to
// under a tenth (bench/README.md).
//
//go:noinline
func growStack() byte {
	var frame [stackRoom]byte
	return frame[stackProbe]
}

// stackRoom is growStack's frame: with what the goroutine already uses, it
// grows to 16 KiB, the largest size the runtime keeps cached per processor.
// stackProbe, a variable, keeps the compiler from dropping the frame.
const stackRoom = 8 << 10

var stackProbe = 0
