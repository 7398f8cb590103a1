//go:build unix

package bridge

import "syscall"

func newPipe() (r, w int, err error) {
	var p [2]int
	syscall.ForkLock.RLock()
	err = syscall.Pipe(p[:])
	if err == nil {
		syscall.CloseOnExec(p[0])
		syscall.CloseOnExec(p[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, -1, err
	}
	for _, fd := range p {
		if err := syscall.SetNonblock(fd, true); err != nil {
			syscall.Close(p[0])
			syscall.Close(p[1])
			return -1, -1, err
		}
	}
	return p[0], p[1], nil
}

func dupFD(fd int) (int, error) {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	d, err := syscall.Dup(fd)
	if err != nil {
		return -1, err
	}
	syscall.CloseOnExec(d)
	return d, nil
}

// writeByte marks the pipe readable. The pipe holds at most one byte (it is
// written only when armed), so the write cannot block or fail for space.
func writeByte(fd int) {
	b := [1]byte{1}
	for {
		if _, err := syscall.Write(fd, b[:]); err != syscall.EINTR {
			return
		}
	}
}

func drainFD(fd int) {
	var b [64]byte
	for {
		n, err := syscall.Read(fd, b[:])
		if err == syscall.EINTR {
			continue
		}
		if n <= 0 || err != nil {
			return
		}
	}
}

func closeFD(fd int) { syscall.Close(fd) }
