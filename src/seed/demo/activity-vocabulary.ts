/**
 * The words synthetic activity is made of, per system slot (1 Tenable, 2 Qualys, 3 Xacta): the
 * entity types each syncs, the endpoints its API calls go to (Tenable's export API as its
 * documentation gives it; Qualys's VMDR API v2), and the address ranges calls come back from
 * (documentation ranges of RFC 5737, so no real host is named).
 */

/** The endpoint of call `j` of an operation: the export request, then status polls and chunk downloads. */
export function ACTIVITY_ENDPOINTS(system: string, j: string, exportUuid: string): string {
  return `CASE WHEN ${system} = 1 THEN
            CASE WHEN ${j} = 1 THEN '/vulns/export'
                 WHEN ${j} % 2 = 0 THEN '/vulns/export/' || ${exportUuid} || '/status'
                 ELSE '/vulns/export/' || ${exportUuid} || '/chunks/' || (${j} / 2) END
          ELSE
            CASE WHEN ${j} = 1 THEN '/api/2.0/fo/asset/host/vm/detection/'
                 ELSE '/api/2.0/fo/asset/host/vm/detection/?action=list&truncation_limit=1000&id_min=' || (${j} * 1000) END
          END`;
}

/** The first three octets of the address a system's calls are logged with. */
export function API_IPS(system: string): string {
  return `(ARRAY['192.0.2.', '198.51.100.', '203.0.113.'])[${system}]`;
}

export const SYSTEM_ENTITIES = {
  /** An entity type the system syncs, chosen by a uniform expression. */
  pick(system: string, uniform: string): string {
    return `(CASE ${system} WHEN 1 THEN (ARRAY['vulnerability', 'asset', 'plugin'])[1 + floor(${uniform} * 3)::int]
                            WHEN 2 THEN (ARRAY['vulnerability', 'asset'])[1 + floor(${uniform} * 2)::int]
                            ELSE (ARRAY['poam', 'control', 'system'])[1 + floor(${uniform} * 3)::int] END)`;
  },
  /** The field a sync conflict on that entity type is about. */
  field(entity: string): string {
    return `(CASE ${entity} WHEN 'vulnerability' THEN 'state' WHEN 'asset' THEN 'hostname' WHEN 'plugin' THEN 'exploit_available'
                            WHEN 'poam' THEN 'status' WHEN 'control' THEN 'implementation_status' ELSE 'authorization_date' END)`;
  },
};
