// Package integrations holds one package per social platform (Twitter/X,
// YouTube, GitHub, Mastodon, Stack Exchange, feeds), each implementing the
// one interface the domain declares for reading an account's presence and
// reach. Only the workers in jobs/ call them.
package integrations
