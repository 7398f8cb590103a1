package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// genErrors writes the typed RPC error table from errors.csv
// (columns name,codes,description; X in a name stands for a number).
func genErrors(path, pkg, out string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != "name,codes,description" {
		return fmt.Errorf("%s: unexpected header", path)
	}
	b := &bytes.Buffer{}
	fmt.Fprintf(b, header, filepath.Base(path))
	fmt.Fprintf(b, "package %s\n\n", pkg)
	b.WriteString("// Names of the RPC errors Telegram is known to return. An X in a name stands\n// for a number (FloodWait matches \"FLOOD_WAIT_42\").\nconst (\n")
	seen := map[string]bool{}
	for _, r := range rows[1:] {
		id := errIdent(r[0])
		if seen[id] {
			// "Timeout" (-503) and "TIMEOUT" (500) differ only in case: name
			// the later one after its code.
			id += "Code" + strings.ReplaceAll(strings.Fields(r[1] + " 0")[0], "-", "Neg")
		}
		if seen[id] {
			return fmt.Errorf("duplicate error identifier %s", id)
		}
		seen[id] = true
		fmt.Fprintf(b, "\t%s = %q\n", id, r[0])
	}
	b.WriteString(")\n\n// known maps each error name to its HTTP-like codes and description.\nvar known = map[string]Info{\n")
	for _, r := range rows[1:] {
		var codes []string
		for _, c := range strings.Fields(r[1]) {
			if _, err := strconv.Atoi(c); err != nil {
				return fmt.Errorf("error %s: bad code %q", r[0], c)
			}
			codes = append(codes, c)
		}
		fmt.Fprintf(b, "\t%q: {Name: %q, Codes: []int{%s}, Description: %q},\n", r[0], r[0], strings.Join(codes, ", "), r[2])
	}
	b.WriteString("}\n")
	return writeGo(filepath.Join(out, "errors_gen.go"), b.Bytes())
}

// errIdent names the constant of an error: FLOOD_WAIT_X → ErrFloodWait,
// 2FA_CONFIRM_WAIT_X → Err2FAConfirmWait.
func errIdent(name string) string {
	name = strings.TrimSuffix(name, "_X")
	var b strings.Builder
	b.WriteString("Err")
	for _, w := range strings.Split(strings.ToLower(name), "_") {
		if w == "" || w == "x" {
			continue
		}
		if in, ok := initialisms[w]; ok {
			b.WriteString(in)
		} else if w == "2fa" {
			b.WriteString("2FA")
		} else {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}
