/** ferry's version, as package.json has it (kept in step by a unit test). */
export const FERRY_VERSION = '0.1.0';
