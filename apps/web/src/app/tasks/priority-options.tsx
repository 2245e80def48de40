import { type Priority, priorities } from "@tasks/task-schema/limits";

const LABELS: Record<Priority, string> = { low: "Low priority", medium: "Medium priority", high: "High priority" };

/** The choices of a priority <select>, lowest first (the order the API sorts by). */
export function PriorityOptions() {
  return priorities.map((value) => (
    <option key={value} value={value}>
      {LABELS[value]}
    </option>
  ));
}
