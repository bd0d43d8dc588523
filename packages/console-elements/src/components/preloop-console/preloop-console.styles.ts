import { css } from 'lit';

/** Styles of `<preloop-console>`. */
export const consoleStyles = css`
  :host {
    display: block;
    min-height: 100vh;
    min-height: 100dvh;
    background: var(--_bg);
  }
  .shell {
    display: grid;
    grid-template-columns: 240px minmax(0, 1fr);
    min-height: 100vh;
    min-height: 100dvh;
    /* The sidebar's column keeps its colour below the sticky sidebar on long pages. */
    background: linear-gradient(to right, var(--_surface) 239px, var(--_border) 239px, var(--_border) 240px, transparent 240px);
  }
  aside {
    position: sticky;
    top: 0;
    height: 100vh;
    height: 100dvh;
    display: flex;
    flex-direction: column;
    gap: 4px;
    padding: 18px 12px 14px;
    background: var(--_surface);
    border-right: 1px solid var(--_border);
  }
  .brand {
    display: flex;
    align-items: center;
    gap: 10px;
    padding: 2px 10px 18px;
    font-weight: 680;
    font-size: 16px;
    letter-spacing: -0.015em;
  }
  .brand svg {
    width: 28px;
    height: 28px;
    color: var(--_accent);
  }
  .brand .edition {
    margin-left: auto;
    font-size: 10.5px;
    font-weight: 600;
    letter-spacing: 0.06em;
    text-transform: uppercase;
    color: var(--_muted);
    border: 1px solid var(--_border);
    border-radius: 5px;
    padding: 1px 6px;
  }
  nav {
    display: grid;
    gap: 2px;
  }
  .section {
    padding: 16px 10px 6px;
    font-size: 11px;
    font-weight: 600;
    letter-spacing: 0.06em;
    text-transform: uppercase;
    color: var(--_muted);
  }
  nav a {
    display: flex;
    align-items: center;
    gap: 10px;
    height: 36px;
    padding: 0 10px;
    border-radius: 7px;
    color: var(--_muted);
    font-weight: 540;
    font-size: 13.5px;
    text-decoration: none;
  }
  nav a svg {
    width: 18px;
    height: 18px;
    flex: none;
  }
  nav a:hover {
    background: var(--_surface-muted);
    color: var(--_text);
    text-decoration: none;
  }
  nav a[aria-current='page'] {
    background: var(--_accent-soft);
    color: var(--_accent);
  }
  nav .count {
    margin-left: auto;
    min-width: 20px;
    height: 20px;
    padding: 0 6px;
    border-radius: 999px;
    background: var(--_accent);
    color: var(--_on-accent);
    font-size: 11px;
    font-weight: 650;
    display: inline-grid;
    place-items: center;
  }
  .footer {
    margin-top: auto;
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 12px 6px 0;
    border-top: 1px solid var(--_border);
  }
  .avatar {
    width: 32px;
    height: 32px;
    flex: none;
    border-radius: 50%;
    display: grid;
    place-items: center;
    background: var(--_accent-soft);
    color: var(--_accent);
    font-weight: 650;
    font-size: 12px;
  }
  .footer button.icon {
    width: 30px;
    height: 30px;
    flex: none;
  }
  .who {
    min-width: 0;
    flex: 1;
    line-height: 1.25;
  }
  .who strong {
    display: block;
    font-size: 13px;
    font-weight: 600;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .who span {
    font-size: 11.5px;
    color: var(--_muted);
  }
  main {
    min-width: 0;
  }
  /* Focus lands on main after a sign-in or the skip link; it is a region, not a control, so it shows no ring. */
  main:focus {
    outline: none;
  }
  .skip-link {
    position: fixed;
    top: 8px;
    left: 8px;
    z-index: 30;
    padding: 8px 14px;
    border-radius: var(--_radius-small);
    background: var(--_surface);
    color: var(--_accent);
    font-weight: 600;
    box-shadow: var(--_focus), var(--_shadow-raised);
    transform: translateY(-200%);
  }
  .skip-link:focus {
    transform: none;
  }
  .scrim {
    display: none;
  }
  .content {
    max-width: 1240px;
    margin: 0 auto;
    padding: 32px 36px 48px;
  }
  .topbar {
    display: none;
  }
  .login {
    min-height: 100vh;
    min-height: 100dvh;
    display: grid;
    place-items: center;
    padding: 24px 16px;
    background:
      radial-gradient(1200px 500px at 50% -10%, var(--_accent-soft), transparent 70%),
      var(--_bg);
  }
  .login preloop-login,
  .login > * {
    width: 100%;
  }
  .checking {
    min-height: 100vh;
    display: grid;
    place-items: center;
    color: var(--_muted);
  }
  @media (max-width: 860px) {
    .shell {
      grid-template-columns: minmax(0, 1fr);
      background: none;
    }
    aside {
      position: fixed;
      inset: 0 auto 0 0;
      width: 260px;
      z-index: 20;
      transform: translateX(-100%);
      /* Hidden off-canvas, its links leave the tab order too. */
      visibility: hidden;
      transition:
        transform 0.18s ease,
        visibility 0.18s;
      box-shadow: var(--_shadow-raised);
    }
    :host([menu-open]) aside {
      transform: none;
      visibility: visible;
    }
    :host([menu-open]) .scrim {
      display: block;
      position: fixed;
      inset: 0;
      z-index: 10;
      background: rgb(10 12 20 / 0.4);
    }
    .topbar {
      display: flex;
      align-items: center;
      gap: 10px;
      position: sticky;
      top: 0;
      z-index: 5;
      padding: 10px 14px;
      background: var(--_surface);
      border-bottom: 1px solid var(--_border);
      font-weight: 650;
    }
    .topbar .logo {
      display: inline-flex;
      width: 24px;
      height: 24px;
      color: var(--_accent);
    }
    .topbar .logo svg {
      width: 100%;
      height: 100%;
    }
    .content {
      padding: 20px 16px 40px;
    }
  }
`;
