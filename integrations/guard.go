package integrations

import (
	"errors"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrPrivateAddress is a refused connection to an address inside the
// server's own network.
var ErrPrivateAddress = errors.New("refusing to connect to a loopback, private or link-local address")

// PublicClient returns an HTTP client that connects to public addresses
// only, for hosts that members name (feeds, Mastodon instances), so that a
// member cannot point the workers at the server's own network. The check runs on the address actually dialled, after DNS, so a
// name that resolves inward is refused too, redirects included. It dials
// directly, without an environment proxy, since a proxy would hide the
// final address.
func PublicClient(timeout time.Duration) *http.Client {
	if timeout == 0 {
		timeout = 20 * time.Second
	}
	dialer := &net.Dialer{Timeout: timeout, Control: refusePrivate}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = dialer.DialContext
	return &http.Client{Timeout: timeout, Transport: t}
}

func refusePrivate(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return err
	}
	ip = ip.Unmap()
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast() || sharedAddressSpace.Contains(ip) {
		return ErrPrivateAddress
	}
	return nil
}

// sharedAddressSpace is carrier-grade NAT (RFC 6598), private in effect
// though netip does not call it so.
var sharedAddressSpace = netip.MustParsePrefix("100.64.0.0/10")
