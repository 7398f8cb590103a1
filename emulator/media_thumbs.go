package emulator

import (
	"bytes"
	"image"
	"image/jpeg"

	"github.com/polygram/polygram/tl/api"
)

// Thumbnails: like Telegram, the emulator serves photos in several sizes and
// gives image documents a thumbnail. Sizes are made on first use from the
// stored bytes (so a loaded snapshot needs nothing extra): "s" fits a 90 px
// box, "m" a 320 px box (only for images larger than that); the original
// is served as "x". A thumbnail uploaded with a document becomes its "m".

// thumbSize is one rendered thumbnail.
type thumbSize struct {
	typ  string
	w, h int32
	data []byte
}

var thumbBoxes = []struct {
	typ string
	box int
}{{"s", 90}, {"m", 320}}

// thumbs returns the file's thumbnails, smallest first.
func (f *file) thumbs() []thumbSize {
	if f.thumbsDone {
		return f.thumbCache
	}
	f.thumbsDone = true
	if !f.Photo && !isImageMime(f.Mime) && f.uploadedThumb == nil {
		return nil
	}
	var img image.Image
	if f.Photo || isImageMime(f.Mime) {
		img, _, _ = image.Decode(bytes.NewReader(f.Data))
	}
	if img != nil {
		b := img.Bounds()
		longest := max(b.Dx(), b.Dy())
		for i, tb := range thumbBoxes {
			if i > 0 && longest <= tb.box {
				break // it would be the original again
			}
			if t, ok := renderThumb(img, tb.typ, tb.box); ok {
				f.thumbCache = append(f.thumbCache, t)
			}
		}
	}
	if up := f.uploadedThumb; up != nil {
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(up)); err == nil {
			kept := f.thumbCache[:0]
			for _, t := range f.thumbCache {
				if t.typ != "m" {
					kept = append(kept, t)
				}
			}
			f.thumbCache = append(kept, thumbSize{typ: "m", w: int32(cfg.Width), h: int32(cfg.Height), data: up})
		}
	}
	return f.thumbCache
}

func isImageMime(m string) bool {
	return m == "image/jpeg" || m == "image/png" || m == "image/gif"
}

// renderThumb scales img to fit a box (never up) and encodes it as JPEG.
func renderThumb(img image.Image, typ string, box int) (thumbSize, bool) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 {
		return thumbSize{}, false
	}
	if w > box || h > box {
		if w >= h {
			w, h = box, max(1, h*box/b.Dx())
		} else {
			w, h = max(1, w*box/b.Dy()), box
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		sy := b.Min.Y + y*b.Dy()/h
		for x := 0; x < w; x++ {
			dst.Set(x, y, img.At(b.Min.X+x*b.Dx()/w, sy))
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 80}); err != nil {
		return thumbSize{}, false
	}
	return thumbSize{typ: typ, w: int32(w), h: int32(h), data: buf.Bytes()}, true
}

// photoSizes renders the thumbnails as photo sizes, smallest first.
func (f *file) photoSizes() []api.PhotoSizeClass {
	var out []api.PhotoSizeClass
	for _, t := range f.thumbs() {
		out = append(out, &api.PhotoSize{Type: t.typ, W: t.w, H: t.h, Size: int32(len(t.data))})
	}
	return out
}

// sizeData returns the bytes of one size of a file: "" (or "x" for a
// photo) is the file itself.
func (f *file) sizeData(typ string) ([]byte, bool) {
	if typ == "" || (f.Photo && typ == "x") {
		return f.Data, true
	}
	for _, t := range f.thumbs() {
		if t.typ == typ {
			return t.data, true
		}
	}
	return nil, false
}
