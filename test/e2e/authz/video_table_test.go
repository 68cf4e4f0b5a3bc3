package authz_test

func init() {
	// Telemedicine: only the appointment's patient and professional. apptA is
	// A's consultation with P (in person: A would get 409); strangers learn
	// nothing (404), a platform admin, who may read its metadata, is refused.
	table["POST /v1/appointments/{id}/video"] = route{owner: patA, params: apptA, deny: with(hiddenA, admin, 403, hoStaff, 404)}
	table["POST /v1/appointments/{id}/in-person"] = route{owner: patA, params: apptA, deny: with(hiddenA, admin, 403, hoStaff, 404)}
}
