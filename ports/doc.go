// Package ports declares the interfaces to capabilities outside the core that
// several contexts share: blob storage, queues, identity providers, key
// management, notifications, geocoding, scheduling and document signing.
// Ports use plain types, never an SDK's. Every port has one conformance suite in
// test/conformance that every adapter passes.
package ports
