package podio

import (
	"context"
	"io"
	"os"
	"os/signal"

	"github.com/moby/term"
	"k8s.io/client-go/tools/remotecommand"
)

// RawTerminal puts a terminal stdin into raw mode for -t and reports the
// terminal's size, now and on every SIGWINCH until ctx ends; when stdin is
// not a terminal it does nothing.
func RawTerminal(ctx context.Context, in io.Reader, out io.Writer) (func(), remotecommand.TerminalSizeQueue) {
	fd, isTerm := term.GetFdInfo(in)
	if !isTerm {
		return func() {}, nil
	}
	state, err := term.SetRawTerminal(fd)
	if err != nil {
		return func() {}, nil
	}
	restore := func() { _ = term.RestoreTerminal(fd, state) }
	outFd, ok := term.GetFdInfo(out)
	if !ok {
		return restore, nil
	}
	return restore, newSizeQueue(ctx, outFd)
}

// sizeQueue delivers terminal sizes: the current one, then one per
// SIGWINCH. Next returns nil when ctx ends, which ends the resize stream.
type sizeQueue struct {
	ctx   context.Context
	fd    uintptr
	winch chan os.Signal
	first bool
}

func newSizeQueue(ctx context.Context, fd uintptr) *sizeQueue {
	q := &sizeQueue{ctx: ctx, fd: fd, winch: make(chan os.Signal, 1), first: true}
	notifyResize(q.winch)
	context.AfterFunc(ctx, func() { signal.Stop(q.winch) })
	return q
}

func (q *sizeQueue) Next() *remotecommand.TerminalSize {
	if !q.first {
		select {
		case <-q.ctx.Done():
			return nil
		case <-q.winch:
		}
	}
	q.first = false
	ws, err := term.GetWinsize(q.fd)
	if err != nil {
		return nil
	}
	return &remotecommand.TerminalSize{Width: ws.Width, Height: ws.Height}
}

// IsTerminal reports whether w is a terminal (colour is for people, not
// for pipes and files).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}
