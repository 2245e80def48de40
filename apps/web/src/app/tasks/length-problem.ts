import { DESCRIPTION_MAX, TITLE_MAX } from "@tasks/task-schema/limits";

/**
 * What is too long in a task's title or description, counted as the API
 * counts (code points: an emoji is one character), or null. The fields have
 * no `maxLength`: it counts UTF-16 units (an emoji is two), so it cut a title
 * of 150 emoji to 100 that the API takes whole, and it cut a pasted text
 * without a word.
 */
export function lengthProblem({
  title,
  description,
}: {
  title: string;
  description: string;
}): { text: string; field: "title" | "description" } | null {
  const titleLength = [...title.trim()].length;
  if (titleLength > TITLE_MAX) {
    return { text: `The title is ${titleLength} characters long; at most ${TITLE_MAX} fit.`, field: "title" };
  }
  const descriptionLength = [...description].length;
  if (descriptionLength > DESCRIPTION_MAX) {
    const text = `The description is ${descriptionLength} characters long; at most ${DESCRIPTION_MAX} fit.`;
    return { text, field: "description" };
  }
  return null;
}
