package ports

import "context"

// Address is a Brazilian postal address.
type Address struct {
	CEP      string
	Street   string
	Number   string
	District string
	City     string
	UF       string
}

// Point is a WGS84 coordinate.
type Point struct {
	Lat float64
	Lng float64
}

// Geocoder turns an address into a point. kernel.KindNotFound when it cannot place it.
type Geocoder interface {
	Geocode(ctx context.Context, a Address) (Point, error)
}

// CEPLookup finds the address a CEP names (as much of it as the source knows:
// the state always, the city, district and street when it has them) and where
// it lies. A malformed CEP is kernel.KindInvalid naming the field "cep"; a CEP
// nobody has is kernel.KindNotFound.
type CEPLookup interface {
	LookupCEP(ctx context.Context, cep string) (Address, Point, error)
}
