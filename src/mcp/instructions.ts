/** What an MCP client is told about this server when it connects, over /mcp and `vigil mcp` alike. */
export const instructions =
  "Vigil supervises services and checks on this machine. Read with get_status, list_incidents, " +
  "get_incident and get_logs; ask for a declared action with propose_action (a person approves " +
  "risky ones; you cannot) and read what came of it with get_action_result. Check a claim about " +
  "the machine with verify_claim, and a work order with check_instruction, before reporting or starting work.";
