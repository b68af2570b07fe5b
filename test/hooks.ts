// Root hooks: the end-to-end tests' throwaway backends and work folders go when the run ends.
import { removeTestRoot } from "./helpers/stacks";

export const mochaHooks = {
    afterAll(): void {
        removeTestRoot();
    },
};
