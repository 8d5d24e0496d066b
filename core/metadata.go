package jwtkit

import (
	"strings"
	"unicode"
)

// metadataBody is a token endpoint's OPTIONS answer, laid out as DRF's SimpleMetadata writes a
// view's: name, description, renders, parses, then the POST serializer's fields.
type metadataBody struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Renders     []string        `json:"renders"`
	Parses      []string        `json:"parses"`
	Actions     *metadataAction `json:"actions,omitempty"`
}

type metadataAction struct {
	Post metadataFields `json:"POST"`
}

// metadataFields keeps the serializer's field order, which a map would lose.
type metadataFields []metadataField

type metadataField struct {
	name     string
	readOnly bool
}

func (fs metadataFields) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, f := range fs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, marshal(f.name)...)
		b = append(b, ':')
		b = append(b, marshal(struct {
			Type     string `json:"type"`
			Required bool   `json:"required"`
			ReadOnly bool   `json:"read_only"`
			Label    string `json:"label"`
		}{"string", !f.readOnly, f.readOnly, fieldLabel(f.name)})...)
	}
	return append(b, '}'), nil
}

// fieldLabel is the label DRF gives a field without one: underscores as spaces, then Python's
// str.capitalize (the first letter upper case, the rest lower case).
func fieldLabel(name string) string {
	r := []rune(strings.ToLower(strings.ReplaceAll(name, "_", " ")))
	if len(r) > 0 {
		r[0] = unicode.ToTitle(r[0])
	}
	return string(r)
}

// metadata is ep's OPTIONS body. The fields are those of simplejwt's serializer for the same
// view: the credentials at obtain, the token field elsewhere, and refresh's read-only access.
func (a *Auth) metadata(ep Endpoint) metadataBody {
	info := endpointInfo[ep]
	m := metadataBody{Name: info.name, Description: info.description, Renders: []string{"application/json"},
		Parses: []string{"application/json", "application/x-www-form-urlencoded", "multipart/form-data"}}
	var fs metadataFields
	switch ep {
	case EndpointObtain, EndpointSlidingObtain:
		fs = metadataFields{{name: a.cfg.UsernameField}, {name: "password"}}
	case EndpointRefresh:
		fs = metadataFields{{name: "refresh"}, {name: "access", readOnly: true}}
	case EndpointRevokeAll:
		return m // no body: nothing to describe
	default:
		fs = metadataFields{{name: info.field}}
	}
	m.Actions = &metadataAction{Post: fs}
	return m
}
