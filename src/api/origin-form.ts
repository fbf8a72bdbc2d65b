/**
 * Turns an absolute-form request target (`http://123456789012.localhost:8080/v20180820/jobs?x=1`, as clients
 * send through an HTTP proxy) into origin form (`/v20180820/jobs?x=1`). Origin-form targets pass unchanged.
 */
export function originFormPath(target: string): string {
  if (target.startsWith("/")) return target;
  const match = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*(.*)$/.exec(target);
  if (!match) return target;
  const rest = match[1];
  if (rest === "") return "/";
  return rest.startsWith("/") ? rest : `/${rest}`;
}
