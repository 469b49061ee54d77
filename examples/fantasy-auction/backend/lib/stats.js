// @ts-check
/** Counters for operators (and the test): how many team reads each user's pages made. */
/** @type {Map<string, number>} */
export const readsByUser = new Map();

/** @param {string} user */
export function countRead(user) {
  readsByUser.set(user, (readsByUser.get(user) ?? 0) + 1);
}
