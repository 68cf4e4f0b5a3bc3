// Package httpapi is the HTTP adapter on fiber: the server and its middleware
// (request ID, access log, metrics, body limits, CORS, security headers, panic
// recovery, authentication), problem+json errors, request binding, and the route
// registry that also builds the OpenAPI document. Each context's handlers live in
// a sub-package (httpapi/identityapi, ...) that implements Module.
package httpapi
