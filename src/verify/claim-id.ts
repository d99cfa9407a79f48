/** Claim ids are `<stepId>.c<n>`: the step a claim answers is the part before the first `.`. */
export function stepOfClaim(claimId: string): string {
  const dot = claimId.indexOf('.');
  return dot === -1 ? claimId : claimId.slice(0, dot);
}
