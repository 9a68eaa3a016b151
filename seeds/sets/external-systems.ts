/**
 * Templates of the three external systems. Every one starts inactive and not syncing: an operator
 * sets the credentials' environment variables, checks the base URL, and turns it on.
 *
 * connection_config never holds a secret, only references to where the application finds one
 * (`{ "env": "NAME" }` or `{ "file": "/path" }`; see src/seed/connection-config.ts). The rate-limit
 * and retry settings follow what each vendor publishes:
 * - Tenable Vulnerability Management: over the limit, HTTP 429 with `retry-after` in seconds; the
 *   limit is computed per API key from load and not published; at most two concurrent exports of
 *   each type; one thread per integration recommended; pyTenable retries 5 times, 1 s back-off
 *   when no `retry-after`, and sends X-Tio-Retry-Count / X-Tio-Last-Request-Uuid when retrying.
 * - Qualys: a blocked call gets HTTP 409 with X-RateLimit-ToWait-Sec; limits are per subscription
 *   (X-RateLimit-Limit per X-RateLimit-Window-Sec, X-Concurrency-Limit-Limit concurrent calls).
 * - Xacta 360: no public API specification exists; the public exchange formats are the FedRAMP
 *   POA&M template and OSCAL, so the template exchanges FedRAMP POA&M workbooks through folders.
 */
import type { Insertable } from 'kysely';
import type { ExternalSystems } from '../../generated/db.js';

export const TENABLE = 'Tenable Vulnerability Management';
export const XACTA = 'Xacta 360';
export const QUALYS = 'Qualys VMDR';

const backoff = (initialSeconds: number, maxSeconds: number) => ({
  initial_seconds: initialSeconds,
  multiplier: 2,
  max_seconds: maxSeconds,
  jitter: true,
});

export const EXTERNAL_SYSTEMS: Insertable<ExternalSystems>[] = [
  {
    system_name: TENABLE,
    system_type: 'tenable',
    api_base_url: 'https://cloud.tenable.com',
    api_version: null,
    authentication_method: 'api_key',
    connection_config: {
      version: 1,
      credentials: {
        access_key: { env: 'RASDASH_TENABLE_ACCESS_KEY' },
        secret_key: { env: 'RASDASH_TENABLE_SECRET_KEY' },
      },
      auth_header: { name: 'X-APIKeys', value: 'accessKey={access_key};secretKey={secret_key}' },
      request_timeout_seconds: 120,
      tls_verify: true,
      exports: {
        vulnerability: {
          create: 'POST /vulns/export',
          status: 'GET /vulns/export/{export_uuid}/status',
          chunk: 'GET /vulns/export/{export_uuid}/chunks/{chunk_id}',
        },
        asset: {
          create: 'POST /assets/export',
          status: 'GET /assets/export/{export_uuid}/status',
          chunk: 'GET /assets/export/{export_uuid}/chunks/{chunk_id}',
        },
      },
    },
    sync_enabled: false,
    sync_frequency_minutes: 240,
    rate_limit_config: {
      limited_status: [429],
      wait_header: 'retry-after',
      requests_per_window: null,
      window_seconds: 60,
      max_concurrent_requests: 1,
      max_concurrent_exports: { vulnerability: 2, asset: 2 },
      notes: 'limit computed per API key per minute from current load; no fixed number is published',
      source: 'https://developer.tenable.com/docs/rate-limiting',
    },
    retry_config: {
      max_retries: 5,
      retry_on_status: [429, 500, 502, 503, 504],
      honor_wait_header: true,
      backoff: backoff(1, 60),
      retry_request_headers: {
        'X-Tio-Retry-Count': '{attempt}',
        'X-Tio-Last-Request-Uuid': '{last_response.X-Tio-Last-Request-Uuid}',
      },
    },
    webhook_config: null,
    is_active: false,
  },
  {
    system_name: XACTA,
    system_type: 'xacta',
    api_base_url: 'https://xacta.example.invalid',
    api_version: null,
    authentication_method: 'file_exchange',
    connection_config: {
      version: 1,
      mode: 'file_exchange',
      format: 'fedramp_rev5_poam_template',
      import_dir: { env: 'RASDASH_XACTA_IMPORT_DIR' },
      export_dir: { env: 'RASDASH_XACTA_EXPORT_DIR' },
      credentials: {},
      notes:
        'Xacta 360 publishes no API specification; set api_base_url and credentials when the installation exposes one',
    },
    sync_enabled: false,
    sync_frequency_minutes: 1440,
    rate_limit_config: null,
    retry_config: { max_retries: 3, retry_on_status: [], honor_wait_header: false, backoff: backoff(60, 900) },
    webhook_config: null,
    is_active: false,
  },
  {
    system_name: QUALYS,
    system_type: 'qualys',
    api_base_url: 'https://qualysapi.qualys.com',
    api_version: '2.0',
    authentication_method: 'basic',
    connection_config: {
      version: 1,
      credentials: { username: { env: 'RASDASH_QUALYS_USERNAME' }, password: { env: 'RASDASH_QUALYS_PASSWORD' } },
      required_headers: { 'X-Requested-With': 'RAS-DASH' },
      request_timeout_seconds: 300,
      tls_verify: true,
      notes: 'api_base_url depends on the Qualys platform of the subscription (US 1 shown)',
    },
    sync_enabled: false,
    sync_frequency_minutes: 240,
    rate_limit_config: {
      limited_status: [409],
      wait_header: 'X-RateLimit-ToWait-Sec',
      requests_per_window: null,
      window_seconds: null,
      max_concurrent_requests: null,
      limit_headers: {
        limit: 'X-RateLimit-Limit',
        window_seconds: 'X-RateLimit-Window-Sec',
        remaining: 'X-RateLimit-Remaining',
        concurrency_limit: 'X-Concurrency-Limit-Limit',
        concurrency_running: 'X-Concurrency-Limit-Running',
      },
      notes: 'limits are set per subscription and reported in every response; read them from the headers',
      source: 'https://docs.qualys.com/en/vm/api/scans/get_started/get_started.htm',
    },
    retry_config: {
      max_retries: 3,
      retry_on_status: [409, 502, 503, 504],
      honor_wait_header: true,
      backoff: backoff(5, 300),
    },
    webhook_config: null,
    is_active: false,
  },
];
