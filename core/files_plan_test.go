package core

import (
	"math/rand/v2"
	"testing"
)

// TestDownloadPlanFollowsGetFileRules checks every request of random
// ranges against upload.getFile's rules and that the kept bytes tile the
// range exactly.
func TestDownloadPlanFollowsGetFileRules(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 20000; i++ {
		off := r.Int64N(64 << 20)
		n := r.Int64N(5 << 20)
		if i%4 == 0 {
			n = r.Int64N(10000)
		}
		pos := off
		for _, q := range plan(off, n) {
			switch {
			case q.offset%downloadAlign != 0:
				t.Fatalf("offset %d not 4 KB aligned (%d+%d)", q.offset, off, n)
			case q.limit <= 0 || q.limit%downloadAlign != 0 || downloadPart%q.limit != 0:
				t.Fatalf("limit %d (%d+%d)", q.limit, off, n)
			case q.offset/downloadPart != (q.offset+int64(q.limit)-1)/downloadPart:
				t.Fatalf("request %d+%d crosses 1 MB", q.offset, q.limit)
			case q.offset+int64(q.skip) != pos || q.use <= 0 || q.skip+q.use > q.limit:
				t.Fatalf("request %+v does not continue at %d", q, pos)
			}
			pos += int64(q.use)
		}
		if pos != off+n {
			t.Fatalf("%d+%d covered up to %d", off, n, pos)
		}
	}
	if reqs := plan(0, 3<<20); len(reqs) != 3 || reqs[0].limit != downloadPart {
		t.Fatalf("a whole file is not fetched in 1 MB parts: %+v", reqs)
	}
}
