import { api, call } from "../../api/client";
import { useLoad } from "../../lib/useLoad";

// usePatientId is the signed-in patient's ID (GET /v1/me), for the routes
// under /v1/patients/{id}.
export function usePatientId() {
  return useLoad(async () => {
    const me = await call(api.GET("/v1/me"));
    if (!me.patient) throw new Error("Esta conta não é de paciente.");
    return me.patient.id;
  });
}
