package fhirapi

import (
	"context"
	"net/http"

	"github.com/multisaude/multisaude/core/kernel"
)

// stubType is a resource type not written yet: it answers 501.
func stubType(name string) *resourceType {
	ns := func() error { return notSupported(http.StatusNotImplemented, name+" ainda não é servido") }
	return &resourceType{Name: name, stub: true,
		Read:   func(context.Context, kernel.Principal, string) (Resource, error) { return nil, ns() },
		Search: func(context.Context, kernel.Principal, Query) (Found, error) { return Found{}, ns() }}
}
