import { Button } from "@chakra-ui/react";
import { ProblemAlert } from "./ProblemAlert";

// MoreButton is the "Carregar mais" of a usePaged list: the error of the last
// attempt, and the button while there is a next page.
export function MoreButton({ paged, size }: { paged: { hasMore: boolean; loadingMore: boolean; moreError: unknown; more: () => Promise<void> }; size?: "xs" | "sm" | "md" }) {
  return (
    <>
      <ProblemAlert error={paged.moreError} />
      {paged.hasMore && (
        <Button alignSelf="start" size={size} variant="outline" loading={paged.loadingMore} onClick={() => void paged.more()}>
          Carregar mais
        </Button>
      )}
    </>
  );
}
