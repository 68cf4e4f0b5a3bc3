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
