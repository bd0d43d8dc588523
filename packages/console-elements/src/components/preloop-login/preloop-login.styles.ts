import { css } from 'lit';

/** Styles of `<preloop-login>`. */
export const loginStyles = css`
  :host {
    display: block;
  }
  .card {
    width: min(400px, 100%);
    margin: 0 auto;
    padding: 32px 32px 28px;
    box-shadow: var(--_shadow-raised);
  }
  .brand {
    display: flex;
    align-items: center;
    gap: 10px;
    font-weight: 650;
    font-size: 17px;
    letter-spacing: -0.01em;
    margin-bottom: 22px;
  }
  .brand svg {
    width: 30px;
    height: 30px;
    color: var(--_accent);
  }
  h1 {
    font-size: 20px;
  }
  .lead {
    color: var(--_muted);
    margin: 4px 0 22px;
  }
  form {
    display: grid;
    gap: 14px;
  }
  button.primary {
    height: 38px;
    margin-top: 4px;
    width: 100%;
  }
  .banner {
    margin-bottom: 2px;
  }
`;
