/**
 * The one HTML escaper of the reports, the SVG plots and the page: `&`, `<` and `>` as
 * entities, so text from the user (formulas, file names, messages) is never read as markup.
 * Text only, not attribute values: quotes are left as they are.
 */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
