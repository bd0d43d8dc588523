/** The kernel's tracker tables (migration `0010-trackers`), read through `db.withTables<TrackerTables>()`. */
export type TrackerTables = {
  tracker_connections: {
    id: string;
    account_id: string;
    /** The tracker's id (`github`, `gitlab`, `jira`). */
    tracker: string;
    /** The connection's slug, unique per account; its tools are `<name>.<tool>`. */
    name: string;
    /** JSON: the tracker's settings (never secret). */
    settings: string;
    /** JSON: the names of the secrets stored for it (values live in the secret store). */
    secret_names: string;
    /** `active`, or `error` after a failed test (see `last_error`). */
    status: string;
    last_error: string | null;
    created_at: number;
    updated_at: number;
  };
  tracker_webhook_deliveries: {
    connection_id: string;
    delivery_id: string;
    account_id: string;
    received_at: number;
  };
};
