// Package kernel holds what every context shares: identifiers, money, error kinds,
// the clock, the principal making a call and cursor paging. It imports only the
// standard library.
package kernel
