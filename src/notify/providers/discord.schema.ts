import { z } from "zod";

export const schema = z.strictObject({
  webhook_url: z.url({ protocol: /^https?$/ }),
});
