//go:build !unix

package bridge

import "errors"

var errNoEventFD = errors.New("not available on this platform (use polygram_receive or a callback)")

func newPipe() (r, w int, err error) { return -1, -1, errNoEventFD }
func dupFD(fd int) (int, error)      { return -1, errNoEventFD }
func writeByte(fd int)               {}
func drainFD(fd int)                 {}
func closeFD(fd int)                 {}
