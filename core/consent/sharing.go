package consent

// SharingSource is a placeholder the sharing part fills in.
type SharingSource interface{}
