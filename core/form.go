package jwtkit

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"
)

// The token endpoints read bodies as DRF's default parsers do (JSONParser, FormParser,
// MultiPartParser), so a client written for simplejwt gets the same answers: the same media
// types accepted, the same charsets, the same field values handed to the CharField rules of
// charfield.go, and DRF's answers for what cannot be parsed.

// fields are a request body's top-level members as DRF's parsers hand them to a serializer:
// JSON values kept raw; form and multipart values as JSON strings; a multipart file as {} (DRF
// puts the uploaded file in request.data, and CharField finds it "Not a valid string.").
type fields map[string]json.RawMessage

// Where a body is a JSON null, DRF's serializer answers for the whole body.
var errNoData = errors.New("no data provided")

// bodyParser is the parser DRF's negotiation picks for a Content-Type: the first of JSON, form
// and multipart whose media type matches, with "*" matching any type or subtype on either side.
func bodyParser(contentType string) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		// A value mime refuses (a stray parameter) still names a type: DRF reads it leniently.
		mt = strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	}
	main, sub, _ := strings.Cut(mt, "/")
	for _, p := range []string{"application/json", "application/x-www-form-urlencoded", "multipart/form-data"} {
		pm, ps, _ := strings.Cut(p, "/")
		if (main == "*" || main == pm) && (sub == "*" || sub == ps) {
			return p
		}
	}
	return ""
}

// readForm reads the body under the size limit and parses it, or returns the contract's 4xx.
func (a *Auth) readForm(req Request) (fields, *Response) {
	refuse := func(r Response) (fields, *Response) { return nil, &r }
	if req.ContentLength > a.cfg.MaxBodyBytes {
		return refuse(a.TooLarge())
	}
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(io.LimitReader(req.Body, a.cfg.MaxBodyBytes+1))
		if err != nil {
			return refuse(a.respond(http.StatusBadRequest, detail{Detail: "Request body could not be read."}))
		}
		if int64(len(body)) > a.cfg.MaxBodyBytes {
			return refuse(a.TooLarge())
		}
	}
	if len(body) == 0 {
		// DRF hands an empty body to the serializer as empty data, whatever its content type.
		return fields{}, nil
	}
	dec := charsetOf(req.ContentType)
	switch bodyParser(req.ContentType) {
	case "application/json":
		f, err := parseJSON(dec(body))
		switch {
		case errors.Is(err, errNoData):
			return refuse(a.respond(http.StatusBadRequest, map[string][]string{"non_field_errors": {"No data provided"}}))
		case err != nil:
			var notDict notDictError
			if errors.As(err, &notDict) {
				return refuse(a.respond(http.StatusBadRequest, map[string][]string{"non_field_errors": {
					"Invalid data. Expected a dictionary, but got " + string(notDict) + "."}}))
			}
			return refuse(a.respond(http.StatusBadRequest, detail{Detail: "JSON parse error - " + err.Error()}))
		}
		return f, nil
	case "application/x-www-form-urlencoded":
		return parseURLEncoded(body, dec), nil
	case "multipart/form-data":
		f, err := parseMultipart(body, req.ContentType, dec)
		if err != nil {
			return refuse(a.respond(http.StatusBadRequest, detail{Detail: "Multipart form parse error - " + err.Error()}))
		}
		return f, nil
	}
	return refuse(a.respond(http.StatusUnsupportedMediaType, detail{Detail: "Unsupported media type \"" + req.ContentType + "\" in request."}))
}

// decoder turns a body's bytes in the request's charset into UTF-8; nil means invalid input.
type decoder func([]byte) []byte

// charsetOf is the decoding of the Content-Type's charset parameter, as Django applies it:
// Latin-1 and ASCII by any of Python's names for them, UTF-8 otherwise (Django ignores a
// charset Python does not know; one it knows beyond these three is read as UTF-8 here, a
// documented difference).
func charsetOf(contentType string) decoder {
	_, params, _ := mime.ParseMediaType(contentType)
	name := strings.NewReplacer("-", "_", " ", "_").Replace(strings.ToLower(strings.TrimSpace(params["charset"])))
	switch name {
	case "latin_1", "latin1", "latin", "l1", "iso_8859_1", "iso8859_1", "8859", "cp819", "iso_ir_100", "csisolatin1":
		return func(b []byte) []byte {
			out := make([]byte, 0, len(b))
			for _, c := range b {
				out = utf8.AppendRune(out, rune(c))
			}
			return out
		}
	case "ascii", "us_ascii", "646", "us", "cp367", "csascii", "ibm367", "iso646_us", "iso_ir_6":
		return func(b []byte) []byte {
			for _, c := range b {
				if c >= utf8.RuneSelf {
					return nil
				}
			}
			return b
		}
	}
	return func(b []byte) []byte {
		if !utf8.Valid(b) {
			return nil
		}
		return b
	}
}

// notDictError is a JSON body that is valid but not an object: DRF names its Python type.
type notDictError string

func (e notDictError) Error() string { return "expected a dictionary, got " + string(e) }

// parseJSON parses a JSON body (nil: it was not in its charset) as Python's json module under
// DRF's strict settings: UTF-8 only, no NaN or Infinity, nothing after the document, integers
// of at most Python's 4300 digits.
func parseJSON(body []byte) (fields, error) {
	if body == nil {
		return nil, errors.New("the body is not in its charset")
	}
	if !json.Valid(body) {
		var v any
		err := json.Unmarshal(body, &v)
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("invalid JSON at byte %d", se.Offset)
		}
		return nil, errors.New("the body is not valid JSON")
	}
	if longInt(body) {
		return nil, errors.New("an integer has more digits than Python reads")
	}
	switch b := bytes.TrimLeft(body, " \t\r\n"); b[0] {
	case '{':
	case 'n':
		return nil, errNoData
	default:
		return nil, notDictError(pythonType(json.RawMessage(bytes.TrimRight(b, " \t\r\n"))))
	}
	var f fields
	if err := json.Unmarshal(body, &f); err != nil {
		return nil, errors.New("the body is not valid JSON")
	}
	return f, nil
}

// longInt reports whether a valid JSON document holds an integer of more than 4300 digits, the
// most Python converts from text.
func longInt(body []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	for {
		t, err := dec.Token()
		if err != nil {
			return false
		}
		if n, ok := t.(json.Number); ok && len(n) > 4300 && !strings.ContainsAny(string(n), ".eE") {
			return len(strings.TrimPrefix(string(n), "-")) > 4300
		}
	}
}

// pythonType names a JSON value's type as Python's json module decodes it.
func pythonType(raw json.RawMessage) string {
	switch raw[0] {
	case '[':
		return "list"
	case '"':
		return "str"
	case 't', 'f':
		return "bool"
	case 'n':
		return "NoneType"
	case '{':
		return "dict"
	}
	if bytes.ContainsAny(raw, ".eE") {
		return "float"
	}
	return "int"
}

// parseURLEncoded reads a form as Django's QueryDict does: pairs split on "&", "+" as a space,
// percent escapes decoded where they are valid and kept as they are where not, a pair without
// "=" as an empty value, bytes in the request's charset (invalid ones replaced), and the last
// value of a repeated name.
func parseURLEncoded(body []byte, dec decoder) fields {
	f := fields{}
	for _, pair := range strings.Split(string(body), "&") {
		if pair == "" {
			continue
		}
		name, value, _ := strings.Cut(pair, "=")
		f[formText(name, dec)] = marshal(formText(value, dec))
	}
	return f
}

// formText percent-decodes s leniently and decodes the bytes in the form's charset.
func formText(s string, dec decoder) string {
	s = strings.ReplaceAll(s, "+", " ")
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return decodeReplacing(b, dec)
}

func isHex(c byte) bool { return strings.IndexByte("0123456789abcdefABCDEF", c) >= 0 }

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// decodeReplacing decodes b in the charset, replacing what does not decode with U+FFFD (Django
// decodes form values with errors="replace").
func decodeReplacing(b []byte, dec decoder) string {
	if out := dec(b); out != nil {
		return string(out)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// validBoundary is the boundary Django accepts: printable ASCII, at most 201 characters, not
// ending in a space.
var validBoundary = regexp.MustCompile(`^[ -~]{0,200}[!-~]$`)

// parseMultipart reads a multipart/form-data body. Fields are the parts with a name and no file
// name, decoded from base64 when their Content-Transfer-Encoding says so, in the request's
// charset; a part with a file name is a file. The boundary must be one Django accepts (else
// its "Invalid boundary" answer), and the body must be well formed: every part delimited with
// CRLF and the closing delimiter present. Django's parser recovers fragments from a body that
// is not; jwtkit refuses it (a documented difference).
func parseMultipart(body []byte, contentType string, dec decoder) (fields, error) {
	_, params, err := mime.ParseMediaType(contentType)
	boundary, ok := params["boundary"]
	if err != nil || !ok {
		return nil, errors.New("Invalid boundary in multipart: None")
	}
	if !validBoundary.MatchString(boundary) {
		return nil, errors.New("Invalid boundary in multipart: " + boundary)
	}
	delim, closing := []byte("--"+boundary+"\r\n"), []byte("--"+boundary+"--")
	if bytes.HasPrefix(body, closing) {
		return fields{}, nil // a form without fields, as an empty FormData is sent
	}
	if !bytes.HasPrefix(body, delim) && !bytes.Contains(body, append([]byte("\r\n"), delim...)) ||
		!bytes.Contains(body, append([]byte("\r\n"), closing...)) {
		return nil, errors.New("the body is not multipart delimited by its boundary")
	}
	f := fields{}
	r := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		// The raw part: Django does not undo quoted-printable, only base64 (below).
		p, err := r.NextRawPart()
		if err == io.EOF {
			return f, nil
		}
		if err != nil {
			return nil, errors.New("the body is not well-formed multipart")
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return nil, errors.New("the body is not well-formed multipart")
		}
		_, disp, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
		name := strings.TrimSpace(disp["name"])
		if err != nil || name == "" {
			continue // Django skips a part it cannot name
		}
		if disp["filename"] != "" {
			f[decodeReplacing([]byte(name), dec)] = json.RawMessage(`{}`)
			continue
		}
		if strings.EqualFold(strings.TrimSpace(p.Header.Get("Content-Transfer-Encoding")), "base64") {
			if d, err := base64.StdEncoding.DecodeString(string(data)); err == nil {
				data = d
			}
		}
		f[decodeReplacing([]byte(name), dec)] = marshal(decodeReplacing(data, dec))
	}
}
