package storetest

import (
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
)

// Proxy stands between a store and PostgreSQL and can cut the connections
// it carries, as a database restart, a failover or a network fault does:
// each side of a cut connection is reset, so the driver sees its
// connection broken, mid-answer or when it next uses an idle one.
type Proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  map[*net.TCPConn]struct{}
	down   bool
}

// NewProxy starts a proxy to the PostgreSQL server of rawURL and returns
// it with rawURL rewritten to go through it. It stops when t ends.
func NewProxy(t testing.TB, rawURL string) (*Proxy, string) {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{ln: ln, target: u.Host, conns: map[*net.TCPConn]struct{}{}}
	t.Cleanup(func() {
		_ = ln.Close()
		p.Cut()
	})
	go p.serve()
	u.Host = ln.Addr().String()
	return p, u.String()
}

func (p *Proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.carry(c.(*net.TCPConn))
	}
}

// carry joins a client's connection to one of its own to the server.
func (p *Proxy) carry(client *net.TCPConn) {
	p.mu.Lock()
	down := p.down
	p.mu.Unlock()
	if down {
		reset(client)
		return
	}
	c, err := net.Dial("tcp", p.target)
	if err != nil {
		reset(client)
		return
	}
	server := c.(*net.TCPConn)
	p.mu.Lock()
	p.conns[client] = struct{}{}
	p.conns[server] = struct{}{}
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	pipe := func(dst, src *net.TCPConn) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	go pipe(server, client)
	go pipe(client, server)
	<-done
	p.mu.Lock()
	delete(p.conns, client)
	delete(p.conns, server)
	p.mu.Unlock()
	_ = client.Close()
	_ = server.Close()
	<-done
}

// reset closes c with a TCP reset rather than an orderly close.
func reset(c *net.TCPConn) {
	_ = c.SetLinger(0)
	_ = c.Close()
}

// Cut resets every connection the proxy carries now.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		reset(c)
		delete(p.conns, c)
	}
}

// Down cuts every connection and resets new ones until Up: the database
// is unreachable.
func (p *Proxy) Down() {
	p.mu.Lock()
	p.down = true
	p.mu.Unlock()
	p.Cut()
}

// Up lets new connections through again.
func (p *Proxy) Up() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}
