// Package conformance holds one test suite per port. Each suite is an exported
// function taking a constructor, and every adapter's own test calls it, so the
// memory adapters, the database adapters and the cloud adapters are held to the
// same contract, error kinds included.
package conformance
