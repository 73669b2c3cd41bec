/**
 * Path globs of `data-exclude` and the excluded-paths setting, as Plausible reads them: `*` is
 * any run of characters within one path segment, `**` any run across segments; everything else
 * is literal. "/admin/**" excludes /admin/users/1; "/blog/*" excludes /blog/post but not
 * /blog/post/comments.
 */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        re += ".*";
        i++;
      } else re += "[^/]*";
    } else re += c.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

export function pathMatcher(globs: string[]): (path: string) => boolean {
  if (!globs.length) return () => false;
  const res = globs.map(globToRegExp);
  return (path) => res.some((r) => r.test(path));
}
