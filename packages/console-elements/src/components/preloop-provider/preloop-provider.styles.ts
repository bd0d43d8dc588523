import { css } from 'lit';

/** Styles of `<preloop-provider>`. */
export const providerStyles = css`
  :host {
    display: contents;
  }
  .login {
    display: block;
    padding: 48px 16px;
  }
`;
