package identity

// Maxima of what a request may hold, checked before any per-item work (a list
// is counted before its items are looked at). httpapi declares the same
// constants, so the API document shows them.
const (
	MaxNameLen       = 150  // characters of a person's name or social name
	MaxLegalNameLen  = 200  // characters of a company's legal or trade name
	MaxBioLen        = 2000 // characters of a professional's bio
	MaxSpecialties   = 20   // specialties of a professional
	MaxSlugLen       = 60   // characters of one specialty
	MaxModes         = 2    // in_person and telemedicine
	MaxScopes        = 4    // scopes of an API key (each at most once)
	MaxAPIKeyNameLen = 100  // characters of an API key's name
	MaxReasonLen     = 1000 // characters of a rejection reason
	MaxStreetLen     = 200  // characters of a street
	MaxAddressLen    = 100  // characters of a complement, district or city
	MaxNumberLen     = 20   // characters of a street number
	MaxEmailLen      = 254  // characters of an e-mail address
	MaxTokenLen      = 4096 // characters of a refresh or reset token
)
