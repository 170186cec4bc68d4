import {
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  registerDecorator,
  ValidationArguments,
  ValidationOptions,
} from 'class-validator';
import { Transform } from 'class-transformer';
import { normalizePersonText, personTextProblem } from '../person-text';
import { normalizeResidentId, residentIdProblem } from '../resident-id';

/** The class-validator constraint name; problem+json maps it to the specific ID_NUMBER_* code. */
export const RESIDENT_ID_CONSTRAINT = 'residentIdNumber';

/**
 * An 18-character resident ID number with a matching check character and a
 * possible birth date. The message never repeats the number.
 */
export function IsResidentIdNumber(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: RESIDENT_ID_CONSTRAINT,
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && residentIdProblem(value) === undefined,
        defaultMessage: (args?: ValidationArguments) => {
          const problem =
            typeof args?.value === 'string' ? residentIdProblem(args.value) : undefined;
          return `${args?.property ?? 'idNumber'} ${problem?.detail ?? 'must be a resident ID number string'}`;
        },
      },
    });
  };
}

/** The class-validator constraint name; problem+json maps it to the specific TEXT_* code. */
export const PERSON_TEXT_CONSTRAINT = 'personText';

/**
 * Text that names or locates a person: normalised to NFC when a DTO is built
 * from a request, then refused if it holds control characters, lone
 * surrogates or bidirectional controls, or nothing visible (person-text.ts).
 */
export function IsPersonText(options?: ValidationOptions): PropertyDecorator {
  const normalize = Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? normalizePersonText(value) : value,
  );
  return (target: object, propertyName: string | symbol) => {
    normalize(target, propertyName);
    registerDecorator({
      name: PERSON_TEXT_CONSTRAINT,
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && personTextProblem(value) === undefined,
        defaultMessage: (args?: ValidationArguments) => {
          const problem =
            typeof args?.value === 'string' ? personTextProblem(args.value) : undefined;
          return `${args?.property ?? 'text'} ${problem?.detail ?? 'must be a string'}`;
        },
      },
    });
  };
}

/**
 * An ID number as staff enter it over the API: normalised first (lower-case
 * `x`, full-width digits and X; see normalizeResidentId), then checked like
 * IsResidentIdNumber. Messages on the wire carry only the normalised form.
 */
export function IsResidentIdNumberInput(options?: ValidationOptions): PropertyDecorator {
  const normalize = Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? normalizeResidentId(value) : value,
  );
  const check = IsResidentIdNumber(options);
  return (target: object, propertyName: string | symbol) => {
    normalize(target, propertyName);
    check(target, propertyName);
  };
}

/**
 * The person a message is about, as it travels inside `pii` (JWE to the
 * recipient) and as nodes keep it encrypted at rest.
 */
export class PersonV1 {
  @IsResidentIdNumber()
  idNumber!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(50)
  @IsPersonText()
  name!: string;

  @IsOptional()
  @Matches(/^\+?[0-9][0-9 -]{4,19}$/, { message: 'phone must be digits, spaces or dashes' })
  phone?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  @IsPersonText()
  address?: string;
}
