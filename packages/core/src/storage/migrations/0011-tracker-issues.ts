import { sql } from 'kysely';
import type { PreloopMigration } from '../migrations.js';
import { columnTypes } from '../migrations.js';

/**
 * The unified issue store: synced issues and pull requests (one table, `kind`
 * says which), their comments, per-project sync state, the reconciliation
 * lease, and issue embeddings for duplicate detection. Full-text search is
 * SQLite FTS5 (an external-content table kept in step by triggers) or a
 * PostgreSQL generated `tsvector` column with a GIN index.
 */
export const trackerIssuesMigration: PreloopMigration = {
  name: '0011-tracker-issues',
  async up({ db, dialect }) {
    const t = columnTypes(dialect);
    let issues = db.schema.createTable('tracker_issues');
    // FTS5's external content needs an integer rowid that never changes (VACUUM may renumber an implicit one).
    if (dialect === 'sqlite')
      issues = issues.addColumn('doc_id', 'integer', (c) => c.primaryKey()).addColumn('id', 'text', (c) => c.notNull().unique());
    else issues = issues.addColumn('id', 'text', (c) => c.primaryKey());
    await issues
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('connection_id', 'text', (c) => c.notNull())
      .addColumn('tracker', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('project', 'text', (c) => c.notNull())
      .addColumn('number', 'text', (c) => c.notNull())
      .addColumn('source_id', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('labels', t.json, (c) => c.notNull())
      .addColumn('assignees', t.json, (c) => c.notNull())
      .addColumn('author', 'text')
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('created_at', t.bigint, (c) => c.notNull())
      .addColumn('updated_at', t.bigint, (c) => c.notNull())
      .addColumn('closed_at', t.bigint)
      .addColumn('merged_at', t.bigint)
      .addColumn('source_branch', 'text')
      .addColumn('target_branch', 'text')
      .addColumn('draft', t.boolean, (c) => c.notNull().defaultTo(0))
      .addColumn('linked_numbers', t.json, (c) => c.notNull())
      .addColumn('raw', t.json, (c) => c.notNull())
      .addColumn('synced_at', t.bigint, (c) => c.notNull())
      .addColumn('comments_synced_at', t.bigint)
      .addUniqueConstraint('tracker_issues_ref', ['connection_id', 'kind', 'project', 'number'])
      .execute();
    await db.schema
      .createIndex('tracker_issues_updated')
      .on('tracker_issues')
      .columns(['account_id', 'kind', 'updated_at', 'id'])
      .execute();
    await db.schema
      .createIndex('tracker_issues_created')
      .on('tracker_issues')
      .columns(['account_id', 'kind', 'created_at', 'id'])
      .execute();
    await db.schema.createIndex('tracker_issues_project').on('tracker_issues').columns(['connection_id', 'project']).execute();

    if (dialect === 'sqlite') {
      await sql`CREATE VIRTUAL TABLE tracker_issues_fts USING fts5(title, body, content='tracker_issues', content_rowid='doc_id', tokenize='porter unicode61')`.execute(
        db,
      );
      await sql`CREATE TRIGGER tracker_issues_fts_insert AFTER INSERT ON tracker_issues BEGIN
        INSERT INTO tracker_issues_fts(rowid, title, body) VALUES (new.doc_id, new.title, new.body);
      END`.execute(db);
      await sql`CREATE TRIGGER tracker_issues_fts_delete AFTER DELETE ON tracker_issues BEGIN
        INSERT INTO tracker_issues_fts(tracker_issues_fts, rowid, title, body) VALUES ('delete', old.doc_id, old.title, old.body);
      END`.execute(db);
      await sql`CREATE TRIGGER tracker_issues_fts_update AFTER UPDATE OF title, body ON tracker_issues BEGIN
        INSERT INTO tracker_issues_fts(tracker_issues_fts, rowid, title, body) VALUES ('delete', old.doc_id, old.title, old.body);
        INSERT INTO tracker_issues_fts(rowid, title, body) VALUES (new.doc_id, new.title, new.body);
      END`.execute(db);
    } else {
      await sql`ALTER TABLE tracker_issues ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A') || setweight(to_tsvector('english', coalesce(body, '')), 'B')
      ) STORED`.execute(db);
      await sql`CREATE INDEX tracker_issues_search ON tracker_issues USING GIN (search_vector)`.execute(db);
    }

    await db.schema
      .createTable('tracker_issue_comments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('issue_id', 'text', (c) => c.notNull())
      .addColumn('source_id', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('author', 'text')
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('created_at', t.bigint, (c) => c.notNull())
      .addColumn('updated_at', t.bigint, (c) => c.notNull())
      .addColumn('raw', t.json, (c) => c.notNull())
      .addUniqueConstraint('tracker_issue_comments_ref', ['issue_id', 'source_id'])
      .execute();

    await db.schema
      .createTable('tracker_sync_state')
      .addColumn('connection_id', 'text', (c) => c.notNull())
      .addColumn('project', 'text', (c) => c.notNull())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('cursor', 'text')
      .addColumn('imported', t.bigint, (c) => c.notNull().defaultTo(0))
      .addColumn('started_at', t.bigint)
      .addColumn('finished_at', t.bigint)
      .addColumn('last_synced_at', t.bigint)
      .addColumn('retry_at', t.bigint)
      .addColumn('error', 'text')
      .addColumn('updated_at', t.bigint, (c) => c.notNull())
      .addPrimaryKeyConstraint('tracker_sync_state_pk', ['connection_id', 'project'])
      .execute();

    await db.schema
      .createTable('tracker_sync_leases')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('holder', 'text', (c) => c.notNull())
      .addColumn('expires_at', t.bigint, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('tracker_issue_embeddings')
      .addColumn('issue_id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('connection_id', 'text', (c) => c.notNull())
      .addColumn('project', 'text', (c) => c.notNull())
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('content_hash', 'text', (c) => c.notNull())
      .addColumn('vector', dialect === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
      .addColumn('created_at', t.bigint, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('tracker_issue_embeddings_project')
      .on('tracker_issue_embeddings')
      .columns(['connection_id', 'project', 'model'])
      .execute();
  },
};
