/**
 * The in-memory state of the GitHub stub: repositories, issues (pull requests
 * are issues with a `pull_request` key, as on GitHub), comments, and the JSON
 * GitHub answers for each, shaped like GitHub's REST API.
 */

/** A user as GitHub embeds it. */
export interface StubUser {
  login: string;
  id: number;
}

/** A stored issue or pull request. */
export interface StubIssue {
  id: number;
  number: number;
  repo: string;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: string | null;
  labels: string[];
  assignees: string[];
  user: string;
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  /** Present on pull requests. */
  pull: { head: string; base: string; draft: boolean; mergedAt: number | null } | null;
}

/** A stored comment. */
export interface StubComment {
  id: number;
  repo: string;
  issueNumber: number;
  body: string;
  user: string;
  createdAt: number;
  updatedAt: number;
}

/** A stored repository. */
export interface StubRepository {
  id: number;
  fullName: string;
  private: boolean;
  description: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The stub's data and the JSON views of it. */
export class GitHubStubState {
  readonly repositories = new Map<string, StubRepository>();
  readonly issues: StubIssue[] = [];
  readonly comments: StubComment[] = [];
  private nextId = 1000;
  private readonly users = new Map<string, number>();
  /** The time source (tests may move it). */
  now: () => number = () => Date.now();

  constructor(readonly webUrl: string) {}

  id(): number {
    return this.nextId++;
  }

  user(login: string): StubUser {
    let id = this.users.get(login);
    if (id === undefined) {
      id = this.id();
      this.users.set(login, id);
    }
    return { login, id };
  }

  addRepository(fullName: string, options: { private?: boolean; description?: string } = {}): StubRepository {
    const repository = { id: this.id(), fullName, private: options.private ?? false, description: options.description ?? null };
    this.repositories.set(fullName, repository);
    return repository;
  }

  addIssue(repo: string, input: Partial<Omit<StubIssue, 'id' | 'number' | 'repo'>> & { title: string }): StubIssue {
    const now = this.now();
    const issue: StubIssue = {
      id: this.id(),
      number: this.issues.filter((candidate) => candidate.repo === repo).length + 1,
      repo,
      body: null,
      state: 'open',
      stateReason: null,
      labels: [],
      assignees: [],
      user: 'octocat',
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      pull: null,
      ...input,
    };
    this.issues.push(issue);
    return issue;
  }

  findIssue(repo: string, number: number): StubIssue | undefined {
    return this.issues.find((issue) => issue.repo === repo && issue.number === number);
  }

  repositoryJson(repository: StubRepository) {
    const [owner, name] = repository.fullName.split('/') as [string, string];
    return {
      id: repository.id,
      node_id: `R_${repository.id}`,
      name,
      full_name: repository.fullName,
      owner: { ...this.user(owner), type: 'Organization' },
      private: repository.private,
      html_url: `${this.webUrl}/${repository.fullName}`,
      description: repository.description,
      default_branch: 'main',
    };
  }

  issueJson(issue: StubIssue, apiUrl: string) {
    const repoApi = `${apiUrl}/repos/${issue.repo}`;
    const html = `${this.webUrl}/${issue.repo}/${issue.pull ? 'pull' : 'issues'}/${issue.number}`;
    return {
      url: `${repoApi}/issues/${issue.number}`,
      repository_url: repoApi,
      html_url: html,
      id: issue.id,
      node_id: `I_${issue.id}`,
      number: issue.number,
      title: issue.title,
      user: { ...this.user(issue.user), type: 'User' },
      labels: issue.labels.map((name) => ({ id: this.labelId(name), name, color: 'ededed', default: false, description: null })),
      state: issue.state,
      state_reason: issue.stateReason,
      locked: false,
      assignee: issue.assignees[0] ? { ...this.user(issue.assignees[0]), type: 'User' } : null,
      assignees: issue.assignees.map((login) => ({ ...this.user(login), type: 'User' })),
      comments: this.comments.filter((comment) => comment.repo === issue.repo && comment.issueNumber === issue.number).length,
      created_at: iso(issue.createdAt),
      updated_at: iso(issue.updatedAt),
      closed_at: iso(issue.closedAt),
      author_association: 'MEMBER',
      body: issue.body,
      ...(issue.pull
        ? {
            pull_request: {
              url: `${repoApi}/pulls/${issue.number}`,
              html_url: html,
              diff_url: `${html}.diff`,
              patch_url: `${html}.patch`,
              merged_at: iso(issue.pull.mergedAt),
            },
          }
        : {}),
    };
  }

  pullJson(issue: StubIssue, apiUrl: string) {
    const pull = issue.pull!;
    const repository = this.repositories.get(issue.repo);
    const base = this.issueJson(issue, apiUrl);
    const { pull_request: _pull, repository_url: _repository, comments: _comments, state_reason: _reason, ...rest } = base;
    const branch = (ref: string) => ({
      label: `${issue.repo.split('/')[0]}:${ref}`,
      ref,
      sha: '0'.repeat(40),
      repo: repository ? this.repositoryJson(repository) : null,
    });
    return {
      ...rest,
      url: `${apiUrl}/repos/${issue.repo}/pulls/${issue.number}`,
      draft: pull.draft,
      merged: pull.mergedAt !== null,
      merged_at: iso(pull.mergedAt),
      head: branch(pull.head),
      base: branch(pull.base),
    };
  }

  commentJson(comment: StubComment, apiUrl: string) {
    return {
      id: comment.id,
      node_id: `IC_${comment.id}`,
      url: `${apiUrl}/repos/${comment.repo}/issues/comments/${comment.id}`,
      html_url: `${this.webUrl}/${comment.repo}/issues/${comment.issueNumber}#issuecomment-${comment.id}`,
      issue_url: `${apiUrl}/repos/${comment.repo}/issues/${comment.issueNumber}`,
      user: { ...this.user(comment.user), type: 'User' },
      created_at: iso(comment.createdAt),
      updated_at: iso(comment.updatedAt),
      author_association: 'MEMBER',
      body: comment.body,
    };
  }

  private labelId(name: string): number {
    let hash = 0;
    for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
    return hash;
  }
}
