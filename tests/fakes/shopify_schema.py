"""The slice of Shopify's GraphQL Admin schema the fake serves, transcribed from the docs.

Field and input names, nullability and arguments follow the Admin API reference
(2025-10 to 2026-07). ``InventorySetQuantitiesInput`` changed in 2026-04: before,
it took ``ignoreCompareQuantity`` and each quantity a ``compareQuantity``; from
then on each quantity takes ``changeFromQuantity`` (which must be given, null
to skip the check), so the schema is built per API version.
"""

from __future__ import annotations

from functools import cache

from graphql import GraphQLSchema, build_schema

COMMON = """
directive @idempotent(key: String!) on FIELD

scalar DateTime
scalar Decimal
scalar Money
scalar URL
scalar UnsignedInt64

enum CurrencyCode { USD EUR GBP CAD AUD CHF }
enum OrderTransactionKind {
  AUTHORIZATION CAPTURE CHANGE EMV_AUTHORIZATION REFUND SALE SUGGESTED_REFUND VOID
}
enum OrderTransactionStatus { AWAITING_RESPONSE ERROR FAILURE PENDING SUCCESS UNKNOWN }
enum FulfillmentOrderStatus { CANCELLED CLOSED INCOMPLETE IN_PROGRESS ON_HOLD OPEN SCHEDULED }
enum FulfillmentStatus { CANCELLED ERROR FAILURE SUCCESS }
enum CountPrecision { AT_LEAST EXACT }

type Query {
  shop: Shop!
  location(id: ID): Location
  productVariants(first: Int, after: String, last: Int, before: String, query: String):
    ProductVariantConnection!
  order(id: ID!): Order
  productsCount(query: String, limit: Int = 10000): Count
}

type Mutation {
  inventorySetQuantities(input: InventorySetQuantitiesInput!): InventorySetQuantitiesPayload
  fulfillmentCreate(fulfillment: FulfillmentInput!, message: String): FulfillmentCreatePayload
  orderCapture(input: OrderCaptureInput!): OrderCapturePayload
  orderUpdate(input: OrderInput!): OrderUpdatePayload
}

type Count { count: Int! precision: CountPrecision! }
type Shop { name: String! myshopifyDomain: String! currencyCode: CurrencyCode! }
type Location { id: ID! name: String! legacyResourceId: UnsignedInt64! }
type PageInfo {
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
  endCursor: String
}

type ProductVariantConnection { nodes: [ProductVariant!]! pageInfo: PageInfo! }
type ProductVariant {
  id: ID!
  legacyResourceId: UnsignedInt64!
  sku: String
  title: String!
  inventoryQuantity: Int
  product: Product!
  inventoryItem: InventoryItem!
}
type Product { id: ID! legacyResourceId: UnsignedInt64! title: String! }
type InventoryItem {
  id: ID!
  legacyResourceId: UnsignedInt64!
  sku: String
  tracked: Boolean!
  inventoryLevel(locationId: ID!): InventoryLevel
}
type InventoryLevel {
  id: ID!
  location: Location!
  quantities(names: [String!]!): [InventoryQuantity!]!
}
type InventoryQuantity { id: ID! name: String! quantity: Int! }

type MoneyV2 { amount: Decimal! currencyCode: CurrencyCode! }
type MoneyBag { shopMoney: MoneyV2! presentmentMoney: MoneyV2! }

type Order {
  id: ID!
  legacyResourceId: UnsignedInt64!
  name: String!
  note: String
  capturable: Boolean!
  totalCapturableSet: MoneyBag!
  transactions(first: Int, capturable: Boolean, manuallyResolvable: Boolean): [OrderTransaction!]!
  fulfillments(first: Int): [Fulfillment!]!
  fulfillmentOrders(first: Int, after: String): FulfillmentOrderConnection!
}
type OrderTransaction {
  id: ID!
  kind: OrderTransactionKind!
  status: OrderTransactionStatus!
  manuallyCapturable: Boolean!
  multiCapturable: Boolean!
  amountSet: MoneyBag!
  parentTransaction: OrderTransaction
}
type FulfillmentOrderConnection { nodes: [FulfillmentOrder!]! pageInfo: PageInfo! }
type FulfillmentOrder {
  id: ID!
  status: FulfillmentOrderStatus!
  assignedLocation: FulfillmentOrderAssignedLocation!
  lineItems(first: Int, after: String): FulfillmentOrderLineItemConnection!
}
type FulfillmentOrderAssignedLocation { name: String! location: Location }
type FulfillmentOrderLineItemConnection { nodes: [FulfillmentOrderLineItem!]! pageInfo: PageInfo! }
type FulfillmentOrderLineItem {
  id: ID!
  sku: String
  totalQuantity: Int!
  remainingQuantity: Int!
  lineItem: LineItem!
}
type LineItem { id: ID! sku: String quantity: Int! name: String! }
type Fulfillment {
  id: ID!
  status: FulfillmentStatus!
  trackingInfo(first: Int): [FulfillmentTrackingInfo!]!
}
type FulfillmentTrackingInfo { company: String number: String url: URL }

type UserError { field: [String!] message: String! }
type InventoryAdjustmentGroup { id: ID! reason: String! }
type InventorySetQuantitiesUserError { code: String field: [String!] message: String! }
type InventorySetQuantitiesPayload {
  inventoryAdjustmentGroup: InventoryAdjustmentGroup
  userErrors: [InventorySetQuantitiesUserError!]!
}
type FulfillmentCreatePayload { fulfillment: Fulfillment userErrors: [UserError!]! }
type OrderCapturePayload { transaction: OrderTransaction userErrors: [UserError!]! }
type OrderUpdatePayload { order: Order userErrors: [UserError!]! }

input FulfillmentInput {
  lineItemsByFulfillmentOrder: [FulfillmentOrderLineItemsInput!]!
  notifyCustomer: Boolean
  trackingInfo: FulfillmentTrackingInput
}
input FulfillmentOrderLineItemsInput {
  fulfillmentOrderId: ID!
  fulfillmentOrderLineItems: [FulfillmentOrderLineItemInput!]
}
input FulfillmentOrderLineItemInput { id: ID! quantity: Int! }
input FulfillmentTrackingInput {
  company: String
  number: String
  numbers: [String!]
  url: URL
  urls: [URL!]
}
input OrderCaptureInput {
  id: ID!
  parentTransactionId: ID!
  amount: Money!
  currency: CurrencyCode
  finalCapture: Boolean
}
input OrderInput { id: ID! note: String }
"""

INVENTORY_BEFORE_2026_04 = """
input InventorySetQuantitiesInput {
  name: String!
  reason: String!
  referenceDocumentUri: String
  ignoreCompareQuantity: Boolean
  quantities: [InventoryQuantityInput!]!
}
input InventoryQuantityInput {
  inventoryItemId: ID!
  locationId: ID!
  quantity: Int!
  compareQuantity: Int
}
"""

INVENTORY_FROM_2026_04 = """
input InventorySetQuantitiesInput {
  name: String!
  reason: String!
  referenceDocumentUri: String
  quantities: [InventoryQuantityInput!]!
}
input InventoryQuantityInput {
  inventoryItemId: ID!
  locationId: ID!
  quantity: Int!
  changeFromQuantity: Int
}
"""


def compare_and_swap(version: str) -> bool:
    return version >= "2026-04"


@cache
def schema_for(version: str) -> GraphQLSchema:
    inventory = INVENTORY_FROM_2026_04 if compare_and_swap(version) else INVENTORY_BEFORE_2026_04
    return build_schema(COMMON + inventory)
