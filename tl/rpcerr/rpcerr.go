// Package rpcerr knows the RPC errors Telegram returns: their names (as typed
// constants generated from schema/errors.csv), codes and descriptions, and how
// to read the number some of them carry (FLOOD_WAIT_42, PHONE_MIGRATE_2).
package rpcerr

//go:generate go run ../gen -errors ../../schema/errors.csv -pkg rpcerr -out .

import (
	"strconv"
	"strings"
)

// Info describes a known RPC error.
type Info struct {
	// Name is the pattern as listed, with X standing for a number.
	Name string
	// Codes are the error codes Telegram uses for it (400, 420, …).
	Codes []int
	// Description is a human explanation; "{seconds}" and similar mark where
	// the number goes.
	Description string
}

// Match finds the known error a message such as "FLOOD_WAIT_42" is an instance
// of. It returns the pattern's info, the number the message carries (or -1)
// and whether it matched.
func Match(message string) (info Info, number int, ok bool) {
	if i, found := known[message]; found {
		return i, -1, true
	}
	// Replace the first run of digits between underscores (or at the end) by X.
	for start := 0; start < len(message); start++ {
		if message[start] < '0' || message[start] > '9' || (start > 0 && message[start-1] != '_') {
			continue
		}
		end := start
		for end < len(message) && message[end] >= '0' && message[end] <= '9' {
			end++
		}
		if end != len(message) && message[end] != '_' {
			continue
		}
		pattern := message[:start] + "X" + message[end:]
		if i, found := known[pattern]; found {
			n, err := strconv.Atoi(message[start:end])
			if err != nil {
				return Info{}, -1, false
			}
			return i, n, true
		}
	}
	return Info{}, -1, false
}

// Split separates the number from an error message the way Telegram forms
// them, whether or not the error is known: "FLOOD_WAIT_42" → ("FLOOD_WAIT_X",
// 42, true); "PEER_ID_INVALID" → ("PEER_ID_INVALID", -1, false).
func Split(message string) (pattern string, number int, hasNumber bool) {
	if info, n, ok := Match(message); ok {
		return info.Name, n, n >= 0
	}
	i := strings.LastIndexByte(message, '_')
	if i < 0 || i == len(message)-1 {
		return message, -1, false
	}
	n, err := strconv.Atoi(message[i+1:])
	if err != nil || n < 0 {
		return message, -1, false
	}
	return message[:i+1] + "X", n, true
}
